/** The request log's table: one row per logged request, newest first, and "Load more". */
import {
  fellBack,
  formatMs,
  formatTokens,
  localTime,
  relativeTime,
  type RequestLogEntry,
  statusKind,
} from "../request_log.ts";
import { type LabelOf, type RequestLogModel, rowButtonId } from "../use_request_log.ts";

/** The loaded entries as a table (the caller shows it only when there are some). */
export function EntryTable({ m }: { m: RequestLogModel }) {
  const { entries, state, more, moreError, now } = m.list;
  return (
    <>
      <div class="rl-table-wrap">
        <table class="rl-table" aria-busy={state.kind === "loading" ? "true" : undefined}>
          <caption class="visually-hidden">
            Logged requests, newest first. Each time opens the request's attempts.
          </caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Access key</th>
              <th scope="col">Model</th>
              <th scope="col">Served by</th>
              <th scope="col">Attempts</th>
              <th scope="col">Status</th>
              <th scope="col">Tokens</th>
              <th scope="col">ms</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <Row
                key={e.id}
                entry={e}
                now={now}
                labelOf={m.labelOf}
                selected={m.detail.detail?.id === e.id}
                onOpen={() => m.detail.open(e.id)}
              />
            ))}
          </tbody>
        </table>
      </div>
      <div class="rl-more">
        <span class="hint">{entries.length} request(s) shown, newest first.</span>
        {more !== "no" && (
          <button
            type="button"
            class="btn"
            disabled={more === "loading"}
            onClick={m.loadMore}
          >
            {more === "loading" ? "Loading…" : "Load more"}
          </button>
        )}
        {moreError && <p class="msg error" role="alert">{moreError}</p>}
      </div>
    </>
  );
}

function Row(
  { entry: e, now, labelOf, selected, onOpen }: {
    entry: RequestLogEntry;
    now: number;
    labelOf: LabelOf;
    selected: boolean;
    onOpen: () => void;
  },
) {
  const at = Date.parse(e.time);
  const served = e.servedBy ? labelOf(e.servedBy) : null;
  const t = e.tokens;
  return (
    // The whole row opens the details for a pointer; the button in it is the keyboard's way.
    <tr
      class={`${statusKind(e.status)}${selected ? " selected" : ""}`}
      data-request-id={e.id}
      onClick={onOpen}
    >
      <td class="rl-time">
        <button
          type="button"
          class="rl-open"
          id={rowButtonId(e.id)}
          aria-haspopup="dialog"
        >
          <time dateTime={e.time}>{localTime(at, now)}</time>
          <span class="visually-hidden">{`: details of the ${e.model} request`}</span>
        </button>
        <span class="hint small">{relativeTime(at, now)}</span>
      </td>
      <td>{e.accessKey ?? <span class="rl-muted">—</span>}</td>
      <td class="rl-model-cell">
        <span class="rl-mono">{e.model}</span>
        {e.modelServed && e.modelServed !== e.model && (
          <span class="rl-mono rl-served">
            <span aria-hidden="true">→</span>
            <span class="visually-hidden">served as</span> {e.modelServed}
          </span>
        )}
      </td>
      <td>
        {served ? served.name : <span class="rl-muted">none</span>}
        {/* A single key is labelled like its provider: only a numbered one says more. */}
        {e.key && e.key !== e.servedBy && <span class="hint small rl-mono">{e.key}</span>}
      </td>
      <td>
        {e.attempts.length}
        {fellBack(e) && <span class="badge badge-cooling rl-fallback">fell back</span>}
      </td>
      <td>
        <span class={`badge ${e.status < 400 ? "badge-healthy" : "badge-failing"}`}>
          {e.status}
        </span>
        {e.end !== "complete" && <span class="hint small">{e.end.replace(/_/g, " ")}</span>}
      </td>
      <td class="rl-tokens">
        {t
          ? (
            <>
              <span>
                {formatTokens(t.input)} in · {formatTokens(t.output)} out
              </span>
              {(t.cacheRead > 0 || t.cacheWrite > 0) && (
                <span class="hint small">
                  cache {formatTokens(t.cacheRead)} read · {formatTokens(t.cacheWrite)} written
                </span>
              )}
            </>
          )
          : <span class="rl-muted">—</span>}
      </td>
      <td class="rl-ms">
        <span>{formatMs(e.ms)}</span>
        <span class="hint small">first byte {formatMs(e.ttfbMs)}</span>
      </td>
    </tr>
  );
}
