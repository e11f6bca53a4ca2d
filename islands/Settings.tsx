/**
 * Island: the global settings (fallback codes, cooldowns, timeouts, body limit), the circuit
 * breaker, the request log (with timed debug body capture) and the webhook.
 */
import { useState } from "preact/hooks";
import {
  captureUntil,
  type CircuitDraft,
  type Draft,
  type RequestLogDraft,
  type SettingsDraft,
  type WebhookDraft,
} from "./parts/draft.ts";
import { edit, type Store } from "./parts/store.ts";
import { clock, Field, nowMs, relative, RowMessage, utcTime, val } from "./parts/ui.tsx";

const MIB = 1024 * 1024;

export default function Settings({ store }: { store: Store }) {
  const s = store.draft.value.settings;
  const set = (field: keyof SettingsDraft, value: string) =>
    edit(store, (d) => {
      d.settings[field] = value;
    }, [`settings.${field}`]);
  const limit = Number(s.bodyLimitBytes);
  const number = (
    field: keyof SettingsDraft,
    label: string,
    hint: string,
    min: number,
    max: number,
  ) => (
    <Field
      store={store}
      id={`settings-${field}`}
      label={label}
      errorKey={`settings.${field}`}
      hint={hint}
    >
      {(a) => (
        <input
          {...a}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          required
          value={s[field]}
          onInput={(e) => set(field, val(e))}
        />
      )}
    </Field>
  );
  return (
    <fieldset class="settings" disabled={!store.mounted.value}>
      <legend class="visually-hidden">Settings</legend>
      <Field
        store={store}
        id="settings-fallbackOn"
        label="Fall back on these status codes"
        errorKey="settings.fallbackOn"
        hint="Comma-separated. Network errors, timeouts and an error event before any content always fall back. Any other 4xx goes straight back to the client. Default: 401, 403, 408, 429, 500, 502, 503, 504, 529."
        class="wide"
      >
        {(a) => (
          <input
            {...a}
            type="text"
            inputMode="numeric"
            spellcheck={false}
            value={s.fallbackOn}
            onInput={(e) => set("fallbackOn", val(e))}
          />
        )}
      </Field>
      <div class="grid three">
        {number(
          "cooldownSeconds",
          "Cooldown (seconds)",
          "How long a failing provider or key is skipped (at least its retry-after).",
          0,
          86_400,
        )}
        {number(
          "authCooldownSeconds",
          "Auth failure cooldown (seconds)",
          "How long a stored key that answered 401/403 is left out.",
          0,
          604_800,
        )}
        {number(
          "timeoutMs",
          "Timeout (ms)",
          "Connect and first byte (streams: first content event).",
          100,
          600_000,
        )}
        {number(
          "nonStreamingTimeoutMs",
          "Non-streaming timeout (ms)",
          "Whole answers can take minutes to start.",
          100,
          3_600_000,
        )}
        {number(
          "bodyLimitBytes",
          "Request body limit (bytes)",
          Number.isFinite(limit) && limit > 0
            ? `= ${
              (limit / MIB).toFixed(limit % MIB === 0 ? 0 : 1)
            } MiB. Larger requests get a 413.`
            : "Larger requests get a 413.",
          1024,
          512 * MIB,
        )}
      </div>
      <CircuitSettings store={store} />
      <RequestLogSettings store={store} />
      <WebhookSettings store={store} />
    </fieldset>
  );
}

type Section = "circuitBreaker" | "requestLog" | "webhook";

/** Sets one field of a nested settings object (its server error goes as it is edited). */
function setNested<S extends Section, K extends keyof Draft[S]>(
  store: Store,
  section: S,
  field: K,
  value: Draft[S][K],
): void {
  edit(store, (d) => {
    d[section][field] = value;
  }, [`${section}.${String(field)}`, section]);
}

/** A whole-number input for a nested settings field. */
function NumberField<S extends Section>(
  { store, section, field, label, hint, min, max, optional }: {
    store: Store;
    section: S;
    field: keyof Draft[S] & string;
    label: string;
    hint: string;
    min: number;
    max: number;
    optional?: boolean;
  },
) {
  const value = store.draft.value[section][field] as string;
  return (
    <Field
      store={store}
      id={`settings-${section}-${field}`}
      label={label}
      errorKey={`${section}.${field}`}
      hint={hint}
    >
      {(a) => (
        <input
          {...a}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          required={!optional}
          value={value}
          onInput={(e) =>
            setNested(store, section, field, val(e) as Draft[S][keyof Draft[S] & string])}
        />
      )}
    </Field>
  );
}

function GroupHead({ id, title, children }: { id: string; title: string; children: string }) {
  return (
    <div class="group-head">
      <h3 id={id}>{title}</h3>
      <p class="hint">{children}</p>
    </div>
  );
}

function CircuitSettings({ store }: { store: Store }) {
  const cb: CircuitDraft = store.draft.value.circuitBreaker;
  return (
    <div class="group settings-group" role="group" aria-labelledby="settings-circuit-title">
      <GroupHead id="settings-circuit-title" title="Circuit breaker">
        A provider that keeps failing is first tried after the healthy ones (degraded), then skipped
        (open) until one probe request succeeds. Refused or rate-limited credentials and clients
        that hang up do not count.
      </GroupHead>
      <div class="check">
        <input
          type="checkbox"
          id="settings-circuitBreaker-enabled"
          checked={cb.enabled}
          onChange={(e) => setNested(store, "circuitBreaker", "enabled", e.currentTarget.checked)}
        />
        <label for="settings-circuitBreaker-enabled">
          Circuit breaker on
          <span class="hint">Off: every provider is planned as healthy.</span>
        </label>
      </div>
      <div class="grid three">
        <NumberField
          store={store}
          section="circuitBreaker"
          field="degradedAfter"
          label="Degraded after (failures)"
          hint="Consecutive failures. Default 3."
          min={1}
          max={1000}
        />
        <NumberField
          store={store}
          section="circuitBreaker"
          field="openAfter"
          label="Open after (failures)"
          hint="Consecutive failures; at least “degraded after”. Default 5."
          min={1}
          max={1000}
        />
        <NumberField
          store={store}
          section="circuitBreaker"
          field="openSeconds"
          label="Open for (seconds)"
          hint="Before a probe. Blank: the provider's cooldown."
          min={1}
          max={86_400}
          optional
        />
      </div>
      <RowMessage store={store} errorKey="circuitBreaker" id="settings-circuitBreaker-msg" />
    </div>
  );
}

/** Minutes offered for debug capture when the page opens. */
const CAPTURE_MINUTES = "30";

function RequestLogSettings({ store }: { store: Store }) {
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
      <RowMessage store={store} errorKey="requestLog" id="settings-requestLog-msg" />
    </div>
  );
}

function WebhookSettings({ store }: { store: Store }) {
  const hook: WebhookDraft = store.draft.value.webhook;
  const masked = hook.stored !== "" && hook.url === hook.stored;
  return (
    <div class="group settings-group" role="group" aria-labelledby="settings-webhook-title">
      <GroupHead id="settings-webhook-title" title="Webhook">
        Detour POSTs JSON here when a provider fails over in a burst or its circuit opens (Slack-
        and Discord-style incoming webhooks show it as is).
      </GroupHead>
      <Field
        store={store}
        id="settings-webhook-url"
        label="Webhook URL"
        errorKey="webhook.url"
        class="wide"
        hint={masked
          ? "Stored; only its origin is shown, as such URLs carry their token. Kept unless you type a new URL; clear it to remove the webhook."
          : "http:// or https://. Leave empty for no webhook."}
      >
        {(a) => (
          <input
            {...a}
            type="url"
            inputMode="url"
            autoComplete="off"
            spellcheck={false}
            placeholder="https://hooks.slack.com/services/…"
            value={hook.url}
            onInput={(e) => setNested(store, "webhook", "url", val(e))}
          />
        )}
      </Field>
      <div class="grid three">
        <NumberField
          store={store}
          section="webhook"
          field="burstFallbacks"
          label="Burst: fallbacks"
          hint="Failed attempts of one provider… Default 5."
          min={1}
          max={100_000}
        />
        <NumberField
          store={store}
          section="webhook"
          field="burstWindowSeconds"
          label="Burst: within (seconds)"
          hint="…within this window. Default 60."
          min={1}
          max={86_400}
        />
        <NumberField
          store={store}
          section="webhook"
          field="minIntervalSeconds"
          label="At most one every (seconds)"
          hint="Per kind and provider. Default 600."
          min={0}
          max={604_800}
        />
        <NumberField
          store={store}
          section="webhook"
          field="timeoutMs"
          label="Delivery timeout (ms)"
          hint="100 – 30000. Default 5000."
          min={100}
          max={30_000}
        />
      </div>
      <RowMessage store={store} errorKey="webhook" id="settings-webhook-msg" />
    </div>
  );
}
