/** The dashboard's content for one loaded series: total tiles, the four charts, the timeline. */
import type { ComponentChildren } from "preact";
import { Chart, type Marker } from "../dashboard_chart.tsx";
import {
  busyHours,
  colorSlot,
  compact,
  fallbackColumns,
  hasTraffic,
  latencyColumns,
  ms,
  percent,
  perProvider,
  shareText,
  summarize,
  type UsageSeries,
} from "../dashboard.ts";
import { RANGE_WORDS } from "../use_dashboard.ts";
import { FallbackTable, LatencyTable, PerHourTable } from "./tables.tsx";
import { Timeline } from "./timeline.tsx";

/** The tiles, charts and timeline of one loaded series. */
export function Board({ series: s }: { series: UsageSeries }) {
  const words = RANGE_WORDS[s.range];
  return (
    <>
      <Tiles s={s} />
      {!hasTraffic(s)
        ? (
          <p class="dash-empty">
            No traffic in the last {words} yet. The charts fill in as requests go through Detour.
          </p>
        )
        : (
          <>
            <Charts s={s} />
            <Timeline s={s} />
          </>
        )}
    </>
  );
}

/** The range's totals. */
function Tiles({ s }: { s: UsageSeries }) {
  const sum = summarize(s);
  return (
    <dl class="dash-tiles" aria-label={`Totals over the last ${RANGE_WORDS[s.range]}`}>
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
  );
}

/** Requests, tokens, fallback rate and latency, hour by hour. */
function Charts({ s }: { s: UsageSeries }) {
  const sum = summarize(s);
  const words = RANGE_WORDS[s.range];
  const providerLines = s.providers.map((p, i) => ({ label: p.name, slot: colorSlot(i) }));
  const markers: Marker[] = s.events.map((e) => ({ t: Date.parse(e.time), kind: e.kind }));
  const hours = busyHours(s);
  return (
    <div class="dash-charts">
      <Card
        id="dash-requests"
        title="Requests per provider"
        desc={`Requests served per hour by each provider. ${shareText(s, "requests")}`}
        chart={
          <Chart
            stepMs={s.stepMs}
            label={`Line chart of requests per hour by provider. ${shareText(s, "requests")}`}
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
        desc={`Input, output and cache tokens per hour by provider. ${shareText(s, "tokens")}`}
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
