/**
 * Island: the dashboard — requests and tokens per provider, the fallback rate, p50/p95 latency
 * and the cooldown/circuit timeline over the last 24 hours or 7 days, and each credential's
 * rate-limit gauges (parts/limits.tsx, from the status the page polls). Fetched from the admin API
 * in the browser (GET /admin/api/usage/series) and refreshed every minute while the page is
 * visible; the server render is only a frame, since the charts are drawn on canvases. The state
 * is in `useDashboard` (parts/use_dashboard.ts), the content in parts/dashboard/.
 */
import { RANGES } from "./parts/dashboard.ts";
import { Board } from "./parts/dashboard/board.tsx";
import { LimitsPanel } from "./parts/limits.tsx";
import type { Store } from "./parts/store.ts";
import { useDashboard } from "./parts/use_dashboard.ts";

export default function Dashboard({ store }: { store: Store }) {
  const { mounted, range, series, state, live, choose } = useDashboard(store);
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
      <LimitsPanel store={store} />
      {series && <Board series={series} />}
    </div>
  );
}
