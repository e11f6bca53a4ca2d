/**
 * Island: the request log — filter by provider, status, model and time; a page of entries at a
 * time, newest first; one entry's attempts and captured bodies in a dialog. Fetched from the
 * admin API in the browser (the server render only says so), filters kept in the URL. The state
 * is in `useRequestLog` (parts/use_request_log.ts), the parts of the view in parts/request_log/.
 */
import { isFiltered } from "./parts/request_log.ts";
import type { Store } from "./parts/store.ts";
import { useRequestLog } from "./parts/use_request_log.ts";
import { DetailDialog } from "./parts/request_log/detail.tsx";
import { FilterForm } from "./parts/request_log/filters.tsx";
import { EntryTable } from "./parts/request_log/table.tsx";

export default function RequestLog({ store }: { store: Store }) {
  const m = useRequestLog(store);
  const { entries, state, live } = m.list;
  const filters = m.filters;
  return (
    <div class="request-log">
      <FilterForm m={m} />

      <p class="visually-hidden" role="status" aria-live="polite">{live}</p>

      {state.kind === "idle" && (
        <p class="empty">
          The request log loads with JavaScript (or read it from{" "}
          <code>GET /admin/api/requests</code>).
        </p>
      )}
      {state.kind === "loading" && entries.length === 0 && (
        <p class="empty" aria-busy="true">Loading the request log…</p>
      )}
      {state.kind === "error" && (
        <div class="rl-error" role="alert">
          <p class="msg error">Could not load the request log: {state.message}</p>
          <button type="button" class="btn small" onClick={m.reload}>
            Try again
          </button>
        </div>
      )}
      {state.kind === "ready" && entries.length === 0 && (
        <p class="empty">
          {isFiltered(filters)
            ? "No logged request matches these filters."
            : "No requests in the last 24 hours. Send one through Detour, then refresh."}
        </p>
      )}

      {entries.length > 0 && state.kind !== "error" && <EntryTable m={m} />}

      <DetailDialog m={m} />
    </div>
  );
}
