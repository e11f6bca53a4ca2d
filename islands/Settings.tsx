/**
 * Island: the global settings (fallback codes, cooldowns, timeouts, body limit), the circuit
 * breaker, the request log (with timed debug body capture) and the webhook.
 */
import type { SettingsDraft } from "./parts/draft.ts";
import { CircuitSettings } from "./parts/settings/circuit.tsx";
import { NumberField } from "./parts/settings/fields.tsx";
import { RequestLogSettings } from "./parts/settings/request_log.tsx";
import { WebhookSettings } from "./parts/settings/webhook.tsx";
import { edit, type Store } from "./parts/store.ts";
import { Field, val } from "./parts/ui.tsx";

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
    <NumberField
      store={store}
      section="settings"
      field={field}
      label={label}
      hint={hint}
      min={min}
      max={max}
    />
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
        {number(
          "maxAttempts",
          "Attempts per request",
          "Upstream calls one request may make at most (providers and keys together).",
          1,
          1000,
        )}
      </div>
      <CircuitSettings store={store} />
      <RequestLogSettings store={store} />
      <WebhookSettings store={store} />
    </fieldset>
  );
}
