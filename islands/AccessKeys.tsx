/** Island: access keys — create (shown once, with a copy button), list by label, revoke. */
import { useState } from "preact/hooks";
import { createAccessKey, revokeAccessKey } from "./parts/actions.ts";
import type { Store } from "./parts/store.ts";
import { CopyButton, val } from "./parts/ui.tsx";

type SetError = (error: string | null) => void;

export default function AccessKeys({ store }: { store: Store }) {
  // One message for the form: a refused creation or a failed revocation.
  const [error, setError] = useState<string | null>(null);
  const keys = store.accessKeys.value;
  return (
    <div class="access-keys">
      <CreatedKey store={store} />
      {keys.length === 0
        ? (
          <p class="empty">
            No access keys created here{store.data.accessKeysExist
              ? " (ACCESS_KEYS sets some)"
              : ""}.
            {!store.data.accessKeysExist &&
              " Without any, only clients on this machine (loopback) may use stored keys."}
          </p>
        )
        : <KeyTable store={store} setError={setError} />}
      <CreateForm store={store} error={error} setError={setError} />
    </div>
  );
}

/** The key just created, shown this once. */
function CreatedKey({ store }: { store: Store }) {
  const created = store.createdKey.value;
  if (!created) return null;
  return (
    <div class="created" role="status">
      <p>
        <strong>New access key “{created.label}”.</strong>{" "}
        Copy it now: it is shown only this once (Detour keeps only its hash).
      </p>
      <div class="secret-line">
        <code id="created-key">{created.key}</code>
        <CopyButton store={store} text={created.key} what="the new access key" />
      </div>
      <button type="button" class="btn small" onClick={() => (store.createdKey.value = null)}>
        I have copied it
      </button>
    </div>
  );
}

/** The keys by label and hint, each with a two-step Revoke. */
function KeyTable({ store, setError }: { store: Store; setError: SetError }) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const keys = store.accessKeys.value;
  const mounted = store.mounted.value;
  return (
    <table class="keys-table">
      <caption class="visually-hidden">Access keys</caption>
      <thead>
        <tr>
          <th scope="col">Label</th>
          <th scope="col">Key</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k.id} data-access-key={k.label}>
            <td>{k.label}</td>
            <td>
              <code>{k.hint}</code>
            </td>
            <td>
              <time dateTime={k.createdAt}>{k.createdAt.slice(0, 10)}</time>
            </td>
            <td class="actions">
              {confirming === k.id
                ? (
                  <>
                    <button
                      type="button"
                      class="btn small danger"
                      onClick={async () => {
                        setError(await revokeAccessKey(store, k.id));
                        setConfirming(null);
                      }}
                    >
                      Revoke now<span class="visually-hidden">{` ${k.label}`}</span>
                    </button>
                    <button
                      type="button"
                      class="btn small"
                      onClick={() => setConfirming(null)}
                    >
                      Cancel
                    </button>
                  </>
                )
                : (
                  <button
                    type="button"
                    class="btn small danger-text"
                    disabled={!mounted}
                    onClick={() => setConfirming(k.id)}
                  >
                    Revoke<span class="visually-hidden">{` ${k.label}`}</span>
                  </button>
                )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A label for a new key, and the button that creates it. */
function CreateForm(
  { store, error, setError }: { store: Store; error: string | null; setError: SetError },
) {
  const [label, setLabel] = useState("");
  const [busy, setBusy] = useState(false);
  const mounted = store.mounted.value;
  return (
    <form
      class="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!label.trim()) {
          setError("Give the key a label, e.g. the person or machine that uses it.");
          return;
        }
        setBusy(true);
        const err = await createAccessKey(store, label.trim());
        setBusy(false);
        setError(err);
        if (!err) setLabel("");
      }}
    >
      <div class={`field ${error ? "invalid" : ""}`}>
        <label for="access-key-label">Label for a new key</label>
        <div class="row">
          <input
            id="access-key-label"
            class="grow"
            type="text"
            maxLength={100}
            placeholder="e.g. alice-laptop"
            value={label}
            disabled={!mounted}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? "access-key-msg" : undefined}
            onInput={(e) => setLabel(val(e))}
          />
          <button type="submit" class="btn primary" disabled={!mounted || busy}>
            {busy ? "Creating…" : "Create access key"}
          </button>
        </div>
        {error && <p class="msg error" id="access-key-msg">{error}</p>}
      </div>
    </form>
  );
}
