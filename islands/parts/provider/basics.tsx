/** The provider editor's basic fields: name, id, type, base URL, passthrough, auth header. */
import type { ProviderDraft } from "../draft.ts";
import { editProvider } from "../store.ts";
import { Field, RowMessage, val } from "../ui.tsx";
import type { Props } from "./props.ts";

const AUTH_HEADERS = ["x-api-key", "authorization"];

/** A setter for one field of the provider's draft, and the ids of its controls. */
function fields({ store, p }: Props) {
  return {
    id: (f: string) => `${p.uid}-${f}`,
    set: <K extends keyof ProviderDraft>(field: K, value: ProviderDraft[K]) =>
      editProvider(store, p.uid, (x) => {
        x[field] = value;
      }, [field]),
  };
}

/** Name, id, type, base URL and the passthrough switch. */
export function BasicFields({ store, p }: Props) {
  const { id, set } = fields({ store, p });
  const types = store.data.providerTypes.includes(p.type)
    ? store.data.providerTypes
    : [...store.data.providerTypes, p.type];
  return (
    <>
      <div class="grid two">
        <Field store={store} id={id("name")} label="Name" errorKey={`${p.uid}.name`}>
          {(a) => (
            <input
              {...a}
              type="text"
              value={p.name}
              maxLength={100}
              placeholder="Shown on this page and in logs"
              onInput={(e) => set("name", val(e))}
            />
          )}
        </Field>
        <Field
          store={store}
          id={id("id")}
          label="Id"
          errorKey={`${p.uid}.id`}
          hint={p.origId && p.origId !== p.id.trim()
            ? "Renaming starts its cooldowns and counts afresh."
            : "Lowercase; names it in logs and in the x-detour-provider header."}
        >
          {(a) => (
            <input
              {...a}
              type="text"
              value={p.id}
              autoComplete="off"
              spellcheck={false}
              onInput={(e) => set("id", val(e))}
            />
          )}
        </Field>
        <Field store={store} id={id("type")} label="Type" errorKey={`${p.uid}.type`}>
          {(a) => (
            <select {...a} value={p.type} onChange={(e) => set("type", val(e))}>
              {types.map((t) => <option value={t} key={t}>{t}</option>)}
            </select>
          )}
        </Field>
        <Field
          store={store}
          id={id("baseUrl")}
          label="Base URL"
          errorKey={`${p.uid}.baseUrl`}
          hint="Without /v1/messages (it is stripped if pasted)."
        >
          {(a) => (
            <input
              {...a}
              type="url"
              inputMode="url"
              value={p.baseUrl}
              spellcheck={false}
              placeholder="https://api.example.com"
              onInput={(e) => set("baseUrl", val(e))}
            />
          )}
        </Field>
      </div>

      <div class="check">
        <input
          type="checkbox"
          id={id("passthrough")}
          checked={p.passthrough}
          onChange={(e) => set("passthrough", e.currentTarget.checked)}
        />
        <label for={id("passthrough")}>
          Use each client's own credential (passthrough)
          <span class="hint">
            The API key or Claude login of whoever calls Detour goes to this provider; no key is
            stored here.
          </span>
        </label>
      </div>
      <RowMessage store={store} errorKey={`${p.uid}.passthrough`} id={id("passthrough-msg")} />
    </>
  );
}

/** The header the stored key is sent in. */
export function AuthHeaderField({ store, p }: Props) {
  const { id, set } = fields({ store, p });
  return (
    <Field
      store={store}
      id={id("authHeader")}
      label="Auth header"
      errorKey={`${p.uid}.authHeader`}
      hint="x-api-key sends the key as is; authorization sends “Bearer <key>”; any other header gets the raw key."
    >
      {(a) => (
        <>
          <input
            {...a}
            type="text"
            list={id("authHeaders")}
            value={p.authHeader}
            spellcheck={false}
            onInput={(e) => set("authHeader", val(e))}
          />
          <datalist id={id("authHeaders")}>
            {AUTH_HEADERS.map((h) => <option value={h} key={h} />)}
          </datalist>
        </>
      )}
    </Field>
  );
}

/** The provider's own timeout and cooldown (blank: the global ones). */
export function TimingFields({ store, p }: Props) {
  const { id, set } = fields({ store, p });
  return (
    <details class="advanced">
      <summary>Timeout and cooldown</summary>
      <div class="grid two">
        <Field
          store={store}
          id={id("timeoutMs")}
          label="Timeout (ms)"
          errorKey={`${p.uid}.timeoutMs`}
          hint={`Connect and first byte. Blank: the global ${store.draft.value.settings.timeoutMs} ms.`}
        >
          {(a) => (
            <input
              {...a}
              type="number"
              inputMode="numeric"
              min={100}
              max={600000}
              value={p.timeoutMs}
              onInput={(e) => set("timeoutMs", val(e))}
            />
          )}
        </Field>
        <Field
          store={store}
          id={id("cooldownSeconds")}
          label="Cooldown (seconds)"
          errorKey={`${p.uid}.cooldownSeconds`}
          hint={`After a failure. Blank: the global ${store.draft.value.settings.cooldownSeconds} s.`}
        >
          {(a) => (
            <input
              {...a}
              type="number"
              inputMode="numeric"
              min={0}
              max={86400}
              value={p.cooldownSeconds}
              onInput={(e) => set("cooldownSeconds", val(e))}
            />
          )}
        </Field>
      </div>
    </details>
  );
}
