/** The provider editor's API keys section. */
import { useState } from "preact/hooks";
import { type KeyRow, newUid, type ProviderDraft } from "../draft.ts";
import { editProvider, fieldError } from "../store.ts";
import { dynType, RowMessage, val } from "../ui.tsx";
import type { Props } from "./props.ts";

/** Stored keys stay masked and are kept unless replaced; new keys are typed in password fields. */
export function KeysEditor({ store, p, hint }: Props & { hint?: string }) {
  const [shown, setShown] = useState<string[]>([]);
  const editKeys = (change: (keys: ProviderDraft["keys"]) => void, rowUid?: string) =>
    editProvider(
      store,
      p.uid,
      (x) => change(x.keys),
      rowUid ? [`keys.${rowUid}`, "keys"] : ["keys"],
    );
  return (
    <div class="group">
      <div class="group-head">
        <h4 id={`${p.uid}-keys-title`}>API keys</h4>
        <p class="hint">
          Several keys rotate; each cools down on its own. Stored keys are never sent back to this
          page: they stay as they are unless you replace or remove them.
        </p>
      </div>
      <ul class="rows" aria-labelledby={`${p.uid}-keys-title`}>
        {p.keys.map((k, i) => (
          <KeyItem
            key={k.uid}
            store={store}
            p={p}
            k={k}
            n={i + 1}
            hint={hint}
            shown={shown.includes(k.uid)}
            toggleShown={() =>
              setShown(
                shown.includes(k.uid) ? shown.filter((u) => u !== k.uid) : [...shown, k.uid],
              )}
            editKeys={editKeys}
          />
        ))}
      </ul>
      <RowMessage store={store} errorKey={`${p.uid}.keys`} id={`${p.uid}-keys-msg`} />
      <button
        type="button"
        class="btn small"
        onClick={() =>
          editKeys((keys) => keys.push({ uid: newUid("k"), value: "", stored: false }))}
      >
        + Add key
      </button>
    </div>
  );
}

/** One key: a stored one masked (replace or remove it), a new one typed in a password field. */
function KeyItem(
  { store, p, k, n, hint, shown, toggleShown, editKeys }: Props & {
    k: KeyRow;
    n: number;
    hint?: string;
    shown: boolean;
    toggleShown: () => void;
    editKeys: (change: (keys: ProviderDraft["keys"]) => void, rowUid?: string) => void;
  },
) {
  const rowId = `${p.uid}-key-${k.uid}`;
  const error = fieldError(store, `${p.uid}.keys.${k.uid}`);
  return (
    <li class="row key-row">
      {k.stored
        ? (
          <>
            <span class="masked" id={rowId}>
              <span class="visually-hidden">{`Key ${n}: `}</span>
              <code>{k.value}</code> <span class="hint">stored</span>
            </span>
            <button
              type="button"
              class="btn small"
              onClick={() =>
                editKeys((keys) => {
                  const row = keys.find((r) => r.uid === k.uid)!;
                  Object.assign(row, { stored: false, value: "", was: k.value });
                }, k.uid)}
            >
              Replace<span class="visually-hidden">{` key ${n}`}</span>
            </button>
          </>
        )
        : (
          <>
            <label class="visually-hidden" for={rowId}>Key {n}</label>
            <input
              id={rowId}
              class="grow"
              type={dynType(shown ? "text" : "password")}
              autoComplete="off"
              spellcheck={false}
              placeholder={k.was ? `New key to replace ${k.was}` : hint ?? "Paste a key"}
              value={k.value}
              aria-invalid={error ? "true" : undefined}
              aria-describedby={error ? `${rowId}-msg` : undefined}
              onInput={(e) =>
                editKeys((keys) => {
                  keys.find((r) => r.uid === k.uid)!.value = val(e);
                }, k.uid)}
            />
            <button
              type="button"
              class="btn small"
              aria-pressed={shown}
              onClick={toggleShown}
            >
              {shown ? "Hide" : "Show"}
              <span class="visually-hidden">{` key ${n}`}</span>
            </button>
            {k.was && (
              <button
                type="button"
                class="btn small"
                onClick={() =>
                  editKeys((keys) => {
                    const row = keys.find((r) => r.uid === k.uid)!;
                    Object.assign(row, { stored: true, value: row.was, was: undefined });
                  }, k.uid)}
              >
                Keep stored<span class="visually-hidden">{` key ${n}`}</span>
              </button>
            )}
          </>
        )}
      <button
        type="button"
        class="btn small danger-text"
        onClick={() => editKeys((keys) => keys.splice(keys.findIndex((r) => r.uid === k.uid), 1))}
      >
        Remove<span class="visually-hidden">{` key ${n}`}</span>
      </button>
      <RowMessage store={store} errorKey={`${p.uid}.keys.${k.uid}`} id={`${rowId}-msg`} />
    </li>
  );
}
