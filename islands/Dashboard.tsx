/**
 * Island: the dashboard — requests and tokens per provider, the fallback rate, p50/p95 latency
 * and the cooldown/circuit timeline over the last 24 hours or 7 days. Fetched from the admin API
 * in the browser (GET /admin/api/usage/series) and refreshed every minute while the page is
 * visible; the server render is only a frame, since the charts are drawn on canvases.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage } from "./parts/api.ts";
import type { Store } from "./parts/store.ts";
import { Chart, type Marker } from "./parts/dashboard_chart.tsx";
import {
  busyHours,
  colorSlot,
  compact,
  type DashRange,
  eventText,
  fallbackColumns,
  hasTraffic,
  isSeries,
  latencyColumns,
  ms,
  percent,
  perProvider,
  positionPct,
  providerName,
  providerSlot,
  RANGES,
  recentEvents,
  REFRESH_MS,
  seriesPath,
  shareText,
  summarize,
  type UsageSeries,
} from "./parts/dashboard.ts";

type LoadState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready"; at: number };

const RANGE_WORDS: Record<DashRange, string> = { "24h": "24 hours", "7d": "7 days" };

/** An hour's start in the reader's time zone ("Nov 21, 14:00"). */
function hourLabel(ms: number): string {
  return new Date(ms).toLocaleString([], {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export default function Dashboard({ store }: { store: Store }) {
  const mounted = store.mounted.value;
  const [range, setRange] = useState<DashRange>("24h");
  const [series, setSeries] = useState<UsageSeries | null>(null);
  const [state, setState] = useState<LoadState>({ kind: "idle" });
  const [live, setLive] = useState("");
  // Answers to an older load are dropped once a newer one was started (a quick toggle).
  const generation = useRef(0);
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const lastLoad = useRef(0);

  async function load(r: DashRange, quiet = false) {
    const gen = ++generation.current;
    lastLoad.current = Date.now();
    if (!quiet) setState({ kind: "loading" });
    const res = await api<unknown>(store, "GET", seriesPath(r));
    if (gen !== generation.current) return;
    if (!res.ok || !isSeries(res.data)) {
      const message = res.status === 401
        ? "The session has ended: log in again to see the dashboard."
        : `The dashboard did not load: ${res.ok ? "unexpected answer" : errorMessage(res)}.`;
      setState({ kind: "error", message });
      if (!quiet) setLive(message);
      return;
    }
    setSeries(res.data);
    setState({ kind: "ready", at: Date.now() });
    if (!quiet) setLive(`Dashboard for the last ${RANGE_WORDS[r]} loaded.`);
  }

  // First load once hydrated, then every minute while the page is visible; a tab that comes
  // back after a while catches up at once instead of waiting for the next tick.
  useEffect(() => {
    if (!mounted) return;
    load(rangeRef.current);
    const tick = setInterval(() => {
      if (document.visibilityState === "visible") load(rangeRef.current, true);
    }, REFRESH_MS);
    const back = () => {
      if (
        document.visibilityState === "visible" && Date.now() - lastLoad.current >= REFRESH_MS
      ) load(rangeRef.current, true);
    };
    document.addEventListener("visibilitychange", back);
    return () => {
      clearInterval(tick);
      document.removeEventListener("visibilitychange", back);
    };
  }, [mounted]);

  function choose(r: DashRange) {
    if (r === range) return;
    setRange(r);
    load(r);
  }

  const busy = state.kind === "loading";
  return (
    <div class="dash" aria-busy={busy ? "true" : "false"}>
      <div class="dash-bar">
        <div class="dash-range" role="group" aria-label="Time range">
          {RANGES.map(([r, text]) => (
            <button
              key={r}
              type="button"
              class="btn small"
              aria-pressed={range === r ? "true" : "false"}
              disabled={!mounted}
              onClick={() => choose(r)}
            >
              {text}
            </button>
          ))}
        </div>
        <p class="dash-updated">
          {state.kind === "ready"
            ? `Updated ${
              new Date(state.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
            }; refreshes every minute.`
            : busy
            ? "Loading…"
            : ""}
        </p>
      </div>
      <p class="visually-hidden" role="status">{live}</p>
      {state.kind === "error" && <p class="dash-error" role="alert">{state.message}</p>}
      {!mounted && (
        <p class="dash-placeholder">
          The charts are drawn in the browser and need JavaScript.
        </p>
      )}
      {mounted && !series && state.kind !== "error" && (
        <p class="dash-placeholder">Loading the dashboard…</p>
      )}
      {series && <Board series={series} />}
    </div>
  );
}

/** The tiles, charts and timeline of one loaded series. */
function Board({ series: s }: { series: UsageSeries }) {
  const sum = summarize(s);
  const words = RANGE_WORDS[s.range];
  const providerLines = s.providers.map((p, i) => ({ label: p.name, slot: colorSlot(i) }));
  const markers: Marker[] = s.events.map((e) => ({ t: Date.parse(e.time), kind: e.kind }));
  const hours = busyHours(s);
  return (
    <>
      <dl class="dash-tiles" aria-label={`Totals over the last ${words}`}>
        <Tile name="Requests" value={compact(sum.requests)} id="dash-tile-requests" />
        <Tile
          name="Fallback rate"
          value={percent(sum.fallbackPct)}
          note={`${compact(sum.fallbacks)} of ${compact(sum.requests)} fell back`}
          id="dash-tile-fallback"
        />
        <Tile
          name="Errors"
          value={compact(sum.errors)}
          note="answered with an error"
          id="dash-tile-errors"
        />
        <Tile
          name="Tokens"
          value={compact(sum.tokens)}
          note="in + out + cache"
          id="dash-tile-tokens"
        />
      </dl>
      {!hasTraffic(s)
        ? (
          <p class="dash-empty">
            No traffic in the last {words} yet. The charts fill in as requests go through Detour.
          </p>
        )
        : (
          <>
            <div class="dash-charts">
              <Card
                id="dash-requests"
                title="Requests per provider"
                desc={`Requests served per hour by each provider. ${shareText(s, "requests")}`}
                chart={
                  <Chart
                    stepMs={s.stepMs}
                    label={`Line chart of requests per hour by provider. ${
                      shareText(s, "requests")
                    }`}
                    lines={providerLines}
                    data={perProvider(s, "requests")}
                    markers={markers}
                  />
                }
                table={<PerHourTable s={s} field="requests" hours={hours} />}
              />
              <Card
                id="dash-tokens"
                title="Tokens per provider"
                desc={`Input, output and cache tokens per hour by provider. ${
                  shareText(s, "tokens")
                }`}
                chart={
                  <Chart
                    stepMs={s.stepMs}
                    label={`Line chart of tokens per hour by provider. ${shareText(s, "tokens")}`}
                    lines={providerLines}
                    data={perProvider(s, "tokens")}
                  />
                }
                table={<PerHourTable s={s} field="tokens" hours={hours} />}
              />
              <Card
                id="dash-fallback"
                title="Fallback rate"
                desc={`Share of requests per hour that a provider after the first one served: ${
                  percent(sum.fallbackPct)
                } over the last ${words}. Dashed lines mark cooldown (amber) and circuit (red) events.`}
                chart={
                  <Chart
                    stepMs={s.stepMs}
                    label={`Line chart of the hourly fallback rate in percent; ${
                      percent(sum.fallbackPct)
                    } overall.`}
                    lines={[{ label: "Fallback rate", slot: 0, color: "--text" }]}
                    data={fallbackColumns(s)}
                    format={(n) => percent(n)}
                    yMax={100}
                    points
                    markers={markers}
                  />
                }
                table={<FallbackTable s={s} hours={hours} />}
              />
              <Card
                id="dash-latency"
                title="Latency per provider"
                desc="Time to the first byte of the attempt that served, per hour: p50 solid, p95 dashed."
                chart={
                  <Chart
                    stepMs={s.stepMs}
                    label={`Line chart of p50 and p95 latency per hour by provider. ${
                      s.providers.filter((p) => p.total.p50 !== null).map((p) =>
                        `${p.name}: p50 ${ms(p.total.p50)}, p95 ${ms(p.total.p95)}`
                      ).join("; ") || "No latency measured."
                    }`}
                    lines={s.providers.flatMap((p, i) => [
                      { label: `${p.name} p50`, slot: colorSlot(i) },
                      { label: `${p.name} p95`, slot: colorSlot(i), dashed: true },
                    ])}
                    data={latencyColumns(s)}
                    format={(n) => ms(n)}
                    points
                  />
                }
                table={<LatencyTable s={s} />}
              />
            </div>
            <Timeline s={s} />
          </>
        )}
    </>
  );
}

function Tile(
  { id, name, value, note }: { id: string; name: string; value: string; note?: string },
) {
  return (
    <div class="dash-tile" id={id}>
      <dt>{name}</dt>
      <dd>
        <span class="dash-tile-value">{value}</span>
        {note && <span class="dash-tile-note">{note}</span>}
      </dd>
    </div>
  );
}

/** A chart with its heading, a sentence for everyone, and its numbers in a table. */
function Card(
  { id, title, desc, chart, table }: {
    id: string;
    title: string;
    desc: string;
    chart: ComponentChildren;
    table: ComponentChildren;
  },
) {
  return (
    <section class="dash-card" id={id} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <p class="dash-desc">{desc}</p>
      {chart}
      <details class="dash-numbers">
        <summary>The numbers</summary>
        {table}
      </details>
    </section>
  );
}

function Swatch({ slot }: { slot: number | null }) {
  return slot === null ? null : <span class={`dash-swatch dash-c${slot + 1}`} aria-hidden="true" />;
}

/** The hours that had traffic, one column per provider, with the range's total. */
function PerHourTable(
  { s, field, hours }: { s: UsageSeries; field: "requests" | "tokens"; hours: number[] },
) {
  return (
    <div class="dash-table-wrap">
      <table class="dash-table">
        <caption>{field === "requests" ? "Requests" : "Tokens"} per hour with traffic</caption>
        <thead>
          <tr>
            <th scope="col">Hour</th>
            {s.providers.map((p, i) => (
              <th scope="col" key={p.id}>
                <Swatch slot={colorSlot(i)} />
                {p.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => (
            <tr key={s.buckets[h]}>
              <th scope="row">{hourLabel(s.buckets[h])}</th>
              {s.providers.map((p) => <td key={p.id}>{p[field][h].toLocaleString("en-US")}</td>)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {s.providers.map((p) => (
              <td key={p.id} data-provider={p.id}>{p.total[field].toLocaleString("en-US")}</td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function FallbackTable({ s, hours }: { s: UsageSeries; hours: number[] }) {
  const sum = summarize(s);
  return (
    <div class="dash-table-wrap">
      <table class="dash-table">
        <caption>Fallbacks and errors per hour with traffic</caption>
        <thead>
          <tr>
            <th scope="col">Hour</th>
            <th scope="col">Requests</th>
            <th scope="col">Fell back</th>
            <th scope="col">Rate</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => {
            const rate = s.all.fallbackRate[h];
            return (
              <tr key={s.buckets[h]}>
                <th scope="row">{hourLabel(s.buckets[h])}</th>
                <td>{s.all.requests[h]}</td>
                <td>{s.all.fallbacks[h]}</td>
                <td>{percent(rate === null ? null : Math.round(rate * 1000) / 10)}</td>
                <td>{s.all.errors[h]}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td>{sum.requests}</td>
            <td>{sum.fallbacks}</td>
            <td>{percent(sum.fallbackPct)}</td>
            <td>{sum.errors}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function LatencyTable({ s }: { s: UsageSeries }) {
  return (
    <div class="dash-table-wrap">
      <table class="dash-table">
        <caption>Latency over the whole range (time to first byte)</caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Requests</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {s.providers.map((p, i) => (
            <tr key={p.id}>
              <th scope="row">
                <Swatch slot={colorSlot(i)} />
                {p.name}
              </th>
              <td>{p.total.requests}</td>
              <td>{ms(p.total.p50)}</td>
              <td>{ms(p.total.p95)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Cooldown and circuit events: a strip along the range, and the list that says what each was. */
function Timeline({ s }: { s: UsageSeries }) {
  const { shown, more } = recentEvents(s);
  return (
    <section class="dash-card dash-timeline" id="dash-events" aria-labelledby="dash-events-title">
      <h3 id="dash-events-title">Cooldowns and circuit events</h3>
      {!s.events.length
        ? <p class="dash-desc">No provider cooled down or tripped its circuit in this range.</p>
        : (
          <>
            <p class="dash-desc">
              {s.events.length} event(s) in the last {RANGE_WORDS[s.range]}, newest first.
            </p>
            <div class="dash-strip" aria-hidden="true">
              {s.events.map((e) => (
                <span
                  key={e.id}
                  class={`dash-tick dash-tick-${e.kind}`}
                  // Set through the DOM (CSSOM) in the browser only: the CSP allows no style attribute.
                  style={{ left: `${positionPct(s, e.time)}%` }}
                  title={`${new Date(e.time).toLocaleString()}: ${providerName(s, e.provider)} ${
                    eventText(e)
                  }`}
                />
              ))}
            </div>
            <ol class="dash-events">
              {shown.map((e) => (
                <li key={e.id} class={`dash-event dash-event-${e.kind}`}>
                  <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
                  <span class="dash-event-provider">
                    <Swatch slot={providerSlot(s, e.provider)} />
                    {providerName(s, e.provider)}
                  </span>
                  <span class={`badge badge-${e.kind === "circuit" ? "failing" : "cooling"}`}>
                    {e.kind}
                  </span>
                  <span class="dash-event-text">
                    {eventText(e)}
                    {e.until && ` until ${new Date(e.until).toLocaleTimeString()}`}
                  </span>
                </li>
              ))}
            </ol>
            {more > 0 && <p class="dash-desc">And {more} older event(s).</p>}
          </>
        )}
    </section>
  );
}
