/** The circuit breaker settings. */
import type { CircuitDraft } from "../draft.ts";
import type { Store } from "../store.ts";
import { RowMessage } from "../ui.tsx";
import { GroupHead, NumberField, setNested } from "./fields.tsx";

/** On or off, when a provider counts as degraded or open, and for how long. */
export function CircuitSettings({ store }: { store: Store }) {
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
