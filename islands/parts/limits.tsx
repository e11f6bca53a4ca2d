/**
 * Rate-limit gauges on the page (GET /admin/api/status `limits`, lib/usage/ratelimit_view.ts):
 * per credential, the 5-hour and weekly windows of a Claude subscription (an API key's
 * per-minute ones too) with their reset times, and whether spill-over holds it back. Credentials
 * appear by label or short hash, never whole. SVG meters: no inline styles (the page's CSP).
 */
import type { Store } from "./store.ts";
import { relative, utcTime } from "./ui.tsx";

/** One credential's gauges as the status report carries them. */
export type LimitView = NonNullable<Store["status"]["value"]["limits"]>[number];
type WindowView = LimitView["windows"][number];

/** How each window reads on the page. */
export const WINDOW_LABELS: Record<string, string> = {
  "5h": "5-hour",
  "7d": "Weekly",
  requests: "Requests / min",
  tokens: "Tokens / min",
  input_tokens: "Input tokens / min",
  output_tokens: "Output tokens / min",
};

/** A share as the page prints it: "42 %", "97.5 %". */
export const percent = (u: number) => `${Math.round(u * 1000) / 10} %`;

/** One window's bar, its share, its reset, and a marker at the provider's `spillAt`. */
function WindowMeter(
  { store, view, w }: { store: Store; view: LimitView; w: WindowView },
) {
  const fill = Math.max(0, Math.min(100, w.utilization * 100));
  const mark = view.spillAt === null ? null : view.spillAt * 100;
  const over = mark !== null && fill >= mark;
  const near = !over && fill >= (mark ?? 90) - 10;
  const name = WINDOW_LABELS[w.name] ?? w.name;
  return (
    <div
      class={`limit-window quota small${over ? " exhausted" : near ? " near" : ""}`}
      data-window={w.name}
    >
      <div class="quota-line">
        <span class="limit-window-name">{name}</span>
        <span class="quota-pct">{percent(w.utilization)}</span>
        {w.resetsAt && (
          <span class="hint limit-reset">
            resets <time dateTime={w.resetsAt}>{relative(store, w.resetsAt)}</time>{" "}
            ({utcTime(w.resetsAt)})
          </span>
        )}
      </div>
      <div
        class="meter"
        role="meter"
        aria-label={`${name} window of ${view.credential}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fill)}
        aria-valuetext={`${percent(w.utilization)} used${
          w.resetsAt ? `, resets ${utcTime(w.resetsAt)}` : ""
        }`}
      >
        <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <rect class="meter-track" x="0" y="0" width="100" height="10" />
          <rect class="meter-fill" x="0" y="0" width={fill} height="10" />
          {mark !== null && (
            <line
              class="meter-mark"
              x1={mark}
              x2={mark}
              y1="0"
              y2="10"
              vector-effect="non-scaling-stroke"
            />
          )}
        </svg>
      </div>
    </div>
  );
}

/** One credential: its name, status, windows, and the spill-over it is under. */
export function LimitCard({ store, view }: { store: Store; view: LimitView }) {
  return (
    <div
      class={`limit${view.spill ? " spilling" : ""}`}
      data-limit={`${view.provider}/${view.credential}`}
    >
      <div class="limit-head">
        <code class="limit-credential">{view.credential}</code>
        {view.status && <span class="hint">{view.status.replace(/_/g, " ")}</span>}
        <span class="hint">as of {relative(store, view.at)}</span>
      </div>
      {view.windows.length === 0 && (
        <p class="hint">No window figures in its answers (only an overall reset).</p>
      )}
      {view.windows.map((w) => <WindowMeter key={w.name} store={store} view={view} w={w} />)}
      {view.spill && (
        <p class="quota-out limit-spill">
          Spilling over: {WINDOW_LABELS[view.spill.window] ?? view.spill.window} window past{" "}
          {percent(view.spillAt ?? 1)}; skipped until{" "}
          <time dateTime={view.spill.until}>{utcTime(view.spill.until)}</time>{" "}
          ({relative(store, view.spill.until)})
        </p>
      )}
    </div>
  );
}

/** The gauges of `views`, subscription windows first (as the server orders them). */
export function LimitList({ store, views }: { store: Store; views: LimitView[] }) {
  return (
    <div class="limits">
      {views.map((v) => <LimitCard key={`${v.provider}/${v.credential}`} store={store} view={v} />)}
    </div>
  );
}

/** The card fact: a provider's credentials' gauges, when any answer carried them. */
export function LimitFacts({ store, provider }: { store: Store; provider: string }) {
  const views = (store.status.value.limits ?? []).filter((v) => v.provider === provider);
  if (views.length === 0) return null;
  return (
    <div class="wide limits-fact">
      <dt>Rate limits</dt>
      <dd>
        <LimitList store={store} views={views} />
      </dd>
    </div>
  );
}

/** The dashboard's panel: every credential's 5-hour and weekly windows with reset times. */
export function LimitsPanel({ store }: { store: Store }) {
  const views = store.status.value.limits ?? [];
  return (
    <section class="dash-limits" aria-labelledby="dash-limits-title">
      <h3 id="dash-limits-title">Subscription and API limits</h3>
      {views.length === 0
        ? (
          <p class="hint">
            No gauges yet: they appear once Anthropic's answers carry rate-limit headers (a Claude
            subscription's 5-hour and weekly windows, an API key's per-minute limits).
          </p>
        )
        : (
          <div class="dash-limits-list">
            {[...new Set(views.map((v) => v.provider))].map((id) => (
              <div key={id} class="dash-limits-provider" data-provider={id}>
                <h4>{id}</h4>
                <LimitList
                  store={store}
                  views={views.filter((v) =>
                    v.provider === id
                  )}
                />
              </div>
            ))}
          </div>
        )}
    </section>
  );
}
