/** One logged request in a modal dialog: its facts, its attempts, its captured bodies. */
import { formatMs, outcomeText } from "../request_log.ts";
import type { Detail, LabelOf, RequestLogModel } from "../use_request_log.ts";

/** The details dialog (opened by the hook once an entry is chosen). */
export function DetailDialog({ m }: { m: RequestLogModel }) {
  const { detail, dialog, closed } = m.detail;
  const labelOf = m.labelOf;
  return (
    <dialog
      ref={dialog}
      class="rl-dialog"
      aria-labelledby="rl-detail-title"
      onClose={closed}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its panel) closes it.
        if (e.target === e.currentTarget) e.currentTarget.close();
      }}
    >
      {detail && (
        <div class="rl-panel">
          <div class="rl-panel-head">
            <h3 id="rl-detail-title">Request details</h3>
            <button
              type="button"
              class="btn small"
              onClick={() => dialog.current?.close()}
            >
              Close
            </button>
          </div>
          {detail.error && <p class="msg error" role="alert">{detail.error}</p>}
          {!detail.data && !detail.error && <p class="hint" aria-busy="true">Loading…</p>}
          {detail.data && <DetailBody d={detail.data} labelOf={labelOf} />}
        </div>
      )}
    </dialog>
  );
}

function DetailBody(
  { d, labelOf }: { d: Detail; labelOf: LabelOf },
) {
  const served = d.servedBy ? labelOf(d.servedBy) : null;
  const t = d.tokens;
  const facts: [string, string][] = [
    ["Time", new Date(d.time).toLocaleString()],
    ["Request id", d.requestId],
    ["Endpoint", `${d.endpoint}${d.stream ? " (stream)" : ""}`],
    ["Access key", d.accessKey ?? "none"],
    ["Model asked", d.model],
    ["Model served", d.modelServed ?? "—"],
    [
      "Served by",
      served ? served.name + (d.key ? ` (key ${d.key})` : " (client's credential)") : "none",
    ],
    ["Status", `${d.status} · ${d.end.replace(/_/g, " ")}`],
    [
      "Tokens",
      t
        ? `${t.input} in · ${t.output} out · cache ${t.cacheRead} read, ${t.cacheWrite} written`
        : "not reported",
    ],
    ["Timing", `first byte ${formatMs(d.ttfbMs)} · total ${formatMs(d.ms)}`],
  ];
  return (
    <>
      <dl class="rl-facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <h4>Attempts ({d.attempts.length})</h4>
      <ol class="rl-attempts">
        {d.attempts.map((a, i) => {
          const p = labelOf(a.provider);
          return (
            <li key={i} class={a.outcome === "ok" ? "ok" : "failed"} data-attempt={i + 1}>
              <div class="rl-attempt-head">
                <strong>{p.name}</strong>
                {p.key && <span class="hint small rl-mono">{p.key}</span>}
                <span
                  class={`badge ${
                    a.status !== null && a.status < 400 ? "badge-healthy" : "badge-failing"
                  }`}
                >
                  {a.status ?? "no status"}
                </span>
                <span>{outcomeText(a)}</span>
                <span class="hint small">{formatMs(a.ms)}</span>
              </div>
              {a.error && <p class="rl-attempt-error">{a.error}</p>}
            </li>
          );
        })}
      </ol>
      <h4>Bodies</h4>
      {d.bodies
        ? (
          <>
            <p class="hint">Truncated and redacted by debug capture.</p>
            <h5>Request</h5>
            <pre class="rl-body" tabIndex={0} aria-label="Request body">{d.bodies.request}</pre>
            <h5>Response</h5>
            {d.bodies.response === null ? <p class="hint">No response body was captured.</p> : (
              <pre
                class="rl-body"
                tabIndex={0}
                aria-label="Response body"
              >{d.bodies.response}</pre>
            )}
          </>
        )
        : (
          <p class="hint">
            {d.hasBodies
              ? "The captured bodies have expired."
              : "Not captured: bodies are stored only while debug capture is on (Settings, Debug body capture)."}
          </p>
        )}
    </>
  );
}
