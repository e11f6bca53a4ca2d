/** The request log settings, with the timed debug body capture. */
import { useState } from "preact/hooks";
import { captureUntil, type RequestLogDraft } from "../draft.ts";
import type { Store } from "../store.ts";
import { clock, nowMs, relative, RowMessage, utcTime, val } from "../ui.tsx";
import { GroupHead, NumberField, setNested } from "./fields.tsx";

/** Minutes offered for debug capture when the page opens. */
const CAPTURE_MINUTES = "30";

/** How many entries are kept, how much of a body is captured, and the capture itself. */
export function RequestLogSettings({ store }: { store: Store }) {
  return (
    <div class="group settings-group" role="group" aria-labelledby="settings-log-title">
      <GroupHead id="settings-log-title" title="Request log">
        The last requests (at most 7 days): who served them, attempts, status and tokens. No bodies
        unless debug capture is on.
      </GroupHead>
      <div class="grid three">
        <NumberField
          store={store}
          section="requestLog"
          field="maxEntries"
          label="Entries kept"
          hint="0 keeps none. Default 5000."
          min={0}
          max={100_000}
        />
        <NumberField
          store={store}
          section="requestLog"
          field="debugBodyBytes"
          label="Captured body size (bytes)"
          hint="How much of each body debug capture keeps. Default 4096."
          min={256}
          max={65_536}
        />
      </div>
      <DebugCapture store={store} />
      <RowMessage store={store} errorKey="requestLog" id="settings-requestLog-msg" />
    </div>
  );
}

/** Debug body capture: on until a time (shown with its state), started for N minutes or stopped. */
function DebugCapture({ store }: { store: Store }) {
  const log: RequestLogDraft = store.draft.value.requestLog;
  const [minutes, setMinutes] = useState(CAPTURE_MINUTES);
  const now = nowMs(store);
  const until = log.debugBodiesUntil.trim();
  const untilMs = until ? Date.parse(until) : NaN;
  const capturing = Number.isFinite(untilMs) && untilMs > now;
  const savedUntil = store.saved.value.requestLog?.debugBodiesUntil ?? "";
  const pending = until !== savedUntil;
  const m = Number(minutes);
  const minutesOk = Number.isInteger(m) && m >= 1 && m <= 1440;
  const setUntil = (iso: string) => setNested(store, "requestLog", "debugBodiesUntil", iso);
  return (
    <div class={`capture ${capturing ? "on" : ""}`} data-capture={capturing ? "on" : "off"}>
      <h4 id="settings-capture-title">Debug body capture</h4>
      <p class="capture-state" role="status">
        {capturing
          ? (
            <>
              <strong>On:</strong> redacted request and response bodies are stored until{" "}
              <time dateTime={until}>{clock(store, until)}</time> ({relative(store, until)},{" "}
              {utcTime(until)})
              {pending && " — once saved"}.
            </>
          )
          : (
            <>
              <strong>Off.</strong>
              {Number.isFinite(untilMs) && ` The last capture ended ${relative(store, until)}.`}
              {pending && !until && savedUntil && " Stops once saved."}
            </>
          )}
      </p>
      {capturing
        ? (
          <button type="button" class="btn small" onClick={() => setUntil("")}>
            Stop capture
          </button>
        )
        : (
          <div class="row capture-start">
            <label for="settings-capture-minutes">
              Capture redacted request/response bodies for the next
            </label>
            <input
              id="settings-capture-minutes"
              class="minutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={1440}
              step={1}
              value={minutes}
              aria-invalid={minutesOk ? undefined : "true"}
              aria-describedby="settings-capture-hint"
              onInput={(e) => setMinutes(val(e))}
            />
            <span>minutes</span>
            <button
              type="button"
              class="btn small"
              disabled={!minutesOk}
              onClick={() => setUntil(captureUntil(m, Date.now()))}
            >
              Start capture
            </button>
          </div>
        )}
      <p class="hint" id="settings-capture-hint">
        {minutesOk
          ? "For troubleshooting: keys, tokens and key-shaped strings are redacted, and capture turns itself off at the time set. Save to apply."
          : "Enter 1 to 1440 minutes."}
      </p>
      <RowMessage
        store={store}
        errorKey="requestLog.debugBodiesUntil"
        id="settings-capture-msg"
      />
    </div>
  );
}
