/** The webhook settings. */
import type { WebhookDraft } from "../draft.ts";
import type { Store } from "../store.ts";
import { Field, RowMessage, val } from "../ui.tsx";
import { GroupHead, NumberField, setNested } from "./fields.tsx";

/** Where failover and circuit alerts go, and how often. */
export function WebhookSettings({ store }: { store: Store }) {
  const hook: WebhookDraft = store.draft.value.webhook;
  const masked = hook.stored !== "" && hook.url === hook.stored;
  return (
    <div class="group settings-group" role="group" aria-labelledby="settings-webhook-title">
      <GroupHead id="settings-webhook-title" title="Webhook">
        Detour POSTs JSON here when a provider fails over in a burst, its circuit opens, or a
        credential's 5-hour or weekly limit reaches the share set below (Slack- and Discord-style
        incoming webhooks show it as is).
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
        <Field
          store={store}
          id="settings-webhook-limitThreshold"
          label="Limit reached at (share)"
          errorKey="webhook.limitThreshold"
          hint="0.01 – 1, e.g. 0.8: tell when a 5-hour or weekly window is 80 % used; leave blank for none."
        >
          {(a) => (
            <input
              {...a}
              type="number"
              inputMode="decimal"
              min={0.01}
              max={1}
              step={0.01}
              value={hook.limitThreshold}
              onInput={(e) => setNested(store, "webhook", "limitThreshold", val(e))}
            />
          )}
        </Field>
      </div>
      <RowMessage store={store} errorKey="webhook" id="settings-webhook-msg" />
    </div>
  );
}
