/** Pieces the settings groups share: a nested field's setter, its number input, a group's head. */
import type { Draft } from "../draft.ts";
import { edit, type Store } from "../store.ts";
import { Field, val } from "../ui.tsx";

/** The settings objects edited field by field (`settings`: the top-level ones). */
export type Section = "settings" | "circuitBreaker" | "requestLog" | "webhook";

/** Sets one field of a nested settings object (its server error goes as it is edited). */
export function setNested<S extends Section, K extends keyof Draft[S]>(
  store: Store,
  section: S,
  field: K,
  value: Draft[S][K],
): void {
  edit(store, (d) => {
    d[section][field] = value;
  }, [`${section}.${String(field)}`, section]);
}

/** A whole-number input for a settings field (top-level ones keep their `settings-<field>` id). */
export function NumberField<S extends Section>(
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
      id={section === "settings" ? `settings-${field}` : `settings-${section}-${field}`}
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

/** A settings group's title and what it is for. */
export function GroupHead(
  { id, title, children }: { id: string; title: string; children: string },
) {
  return (
    <div class="group-head">
      <h3 id={id}>{title}</h3>
      <p class="hint">{children}</p>
    </div>
  );
}
