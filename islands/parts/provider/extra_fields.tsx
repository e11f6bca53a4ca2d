/** The provider editor's section for other provider types' settings (lib/config/fields). */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { emptyValue } from "../draft.ts";
import { editProvider } from "../store.ts";
import { dynType, Field, RowMessage, val } from "../ui.tsx";
import type { Props } from "./props.ts";

/** Extra fields the editor has a section of its own for. */
const OWN_SECTION = new Set(["profile", "spillAt"]);

/**
 * Fields of other provider types (lib/config/fields), edited by their schema's kind: the ones the
 * provider has, plus any the user adds from the list.
 */
export function ExtraFields({ store, p }: Props) {
  const [adding, setAdding] = useState("");
  // Settings with their own section in the editor (profile.tsx, spill.tsx) are not listed here again.
  const catalog = store.data.extraFields.filter((f) => !OWN_SECTION.has(f.name));
  const setExtra = (name: string, value: unknown) =>
    editProvider(store, p.uid, (x) => {
      if (value === undefined) delete x.extra[name];
      else x.extra[name] = value;
    }, [name]);
  const present = Object.keys(p.extra).filter((name) => !OWN_SECTION.has(name));
  const absent = catalog.filter((f) => !present.includes(f.name));
  if (present.length === 0 && absent.length === 0) return null;
  const Wrap = present.length === 0 ? MoreSettings : Group;
  return (
    <Wrap>
      <div class="group-head">
        <h4>{p.type} settings</h4>
        <p class="hint">
          Settings of this provider type. Secrets among them are never shown again once saved.
        </p>
      </div>
      {present.length > 0 && (
        <div class="grid two">
          {present.map((name) => (
            <ExtraField
              key={name}
              store={store}
              p={p}
              name={name}
              value={p.extra[name]}
              set={(v) => setExtra(name, v)}
            />
          ))}
        </div>
      )}
      {absent.length > 0 && (
        <div class="row add-field">
          <label class="visually-hidden" for={`${p.uid}-add-field`}>Add a setting</label>
          <select
            id={`${p.uid}-add-field`}
            value={adding}
            onChange={(e) => setAdding(val(e))}
          >
            <option value="">Add a setting…</option>
            {absent.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
          </select>
          <button
            type="button"
            class="btn small"
            disabled={!adding}
            onClick={() => {
              const f = catalog.find((x) => x.name === adding);
              if (!f) return;
              setExtra(f.name, emptyValue(f.kind, f.options));
              setAdding("");
            }}
          >
            Add
          </button>
        </div>
      )}
    </Wrap>
  );
}

function Group({ children }: { children: ComponentChildren }) {
  return <div class="group">{children}</div>;
}

/** With nothing set yet, the type's settings stay folded away. */
function MoreSettings({ children }: { children: ComponentChildren }) {
  return (
    <details class="advanced">
      <summary>More settings</summary>
      {children}
    </details>
  );
}

function ExtraField(
  { store, p, name, value, set }: Props & {
    name: string;
    value: unknown;
    set: (v: unknown) => void;
  },
) {
  const fid = `${p.uid}-x-${name}`;
  const spec = store.data.extraFields.find((f) => f.name === name);
  const secret = spec?.secret ?? store.data.secretFields.includes(name);
  const errorKey = `${p.uid}.${name}`;
  const remove = (
    <button
      type="button"
      class="btn small danger-text"
      aria-label={`Remove setting ${name}`}
      onClick={() => set(undefined)}
    >
      Remove
    </button>
  );
  if (typeof value === "boolean" || spec?.kind === "boolean") {
    return (
      <div class="check">
        <input
          type="checkbox"
          id={fid}
          checked={value === true}
          onChange={(e) => set(e.currentTarget.checked)}
        />
        <label for={fid}>{name}</label>
        {remove}
        <RowMessage store={store} errorKey={errorKey} id={`${fid}-msg`} />
      </div>
    );
  }
  if (spec?.kind === "enum" && spec.options) {
    const options = spec.options.includes(String(value))
      ? spec.options
      : [String(value), ...spec.options];
    return (
      <Field store={store} id={fid} label={name} errorKey={errorKey}>
        {(a) => (
          <div class="row">
            <select {...a} class="grow" value={String(value)} onChange={(e) => set(val(e))}>
              {options.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
            {remove}
          </div>
        )}
      </Field>
    );
  }
  if (typeof value === "number" || typeof value === "string" || value === null) {
    const masked = secret && typeof value === "string" && value.includes("…");
    const numeric = spec?.kind === "number" || typeof value === "number";
    return (
      <Field
        store={store}
        id={fid}
        label={name}
        errorKey={errorKey}
        hint={secret
          ? masked
            ? `Stored (${value}); kept unless you type a new value.`
            : "A secret: never shown again once saved."
          : undefined}
      >
        {(a) => (
          <div class="row">
            <input
              {...a}
              class="grow"
              type={dynType(secret ? "password" : numeric ? "number" : "text")}
              autoComplete="off"
              spellcheck={false}
              value={value ?? ""}
              onInput={(e) => {
                const v = val(e);
                set(numeric && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v);
              }}
            />
            {remove}
          </div>
        )}
      </Field>
    );
  }
  return <JsonField store={store} p={p} name={name} value={value} />;
}

function JsonField({ store, p, name, value }: Props & { name: string; value: unknown }) {
  const [text, setText] = useState(JSON.stringify(value, null, 2));
  const [bad, setBad] = useState<string | null>(null);
  const fid = `${p.uid}-x-${name}`;
  return (
    <Field
      store={store}
      id={fid}
      label={`${name} (JSON)`}
      errorKey={`${p.uid}.${name}`}
      hint={bad ?? undefined}
    >
      {(a) => (
        <textarea
          {...a}
          rows={4}
          spellcheck={false}
          value={text}
          onInput={(e) => {
            setText(val(e));
            try {
              const parsed = JSON.parse(val(e));
              setBad(null);
              editProvider(store, p.uid, (x) => {
                x.extra[name] = parsed;
              }, [name]);
            } catch {
              setBad("Not valid JSON yet: the last valid value is kept.");
            }
          }}
        />
      )}
    </Field>
  );
}
