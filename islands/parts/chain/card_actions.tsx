/** A provider card's buttons: move up and down, test, edit, delete; and the test's result. */
import { useState } from "preact/hooks";
import { moveProvider, removeProvider, testProvider } from "../actions.ts";
import type { ProviderDraft } from "../draft.ts";
import type { Store } from "../store.ts";
import { val } from "../ui.tsx";

/** The action row of a provider card. */
export function CardActions(
  { store, p, index, count, title, changed, open, toggleOpen }: {
    store: Store;
    p: ProviderDraft;
    index: number;
    count: number;
    title: string;
    changed: string | null;
    /** Whether its editor is open. */
    open: boolean;
    toggleOpen: () => void;
  },
) {
  const mounted = store.mounted.value;
  const move = (to: number, button: "up" | "down") => {
    moveProvider(store, p.uid, to);
    // The card moved in the DOM: keep the keyboard where it was.
    requestAnimationFrame(() => {
      const el = document.getElementById(`${p.uid}-move-${button}`) as HTMLButtonElement | null;
      (el && !el.disabled
        ? el
        : document.getElementById(`${p.uid}-move-${button === "up" ? "down" : "up"}`))
        ?.focus();
    });
  };
  return (
    <div class="card-actions">
      <div class="move">
        <button
          type="button"
          class="btn icon"
          id={`${p.uid}-move-up`}
          disabled={!mounted || index === 0}
          aria-label={`Move ${title} up`}
          onClick={() => move(index - 1, "up")}
        >
          ↑
        </button>
        <button
          type="button"
          class="btn icon"
          id={`${p.uid}-move-down`}
          disabled={!mounted || index === count - 1}
          aria-label={`Move ${title} down`}
          onClick={() => move(index + 1, "down")}
        >
          ↓
        </button>
      </div>
      <TestControl store={store} p={p} changed={changed} />
      <button
        type="button"
        class="btn"
        aria-expanded={open}
        aria-controls={`${p.uid}-editor`}
        disabled={!mounted}
        onClick={toggleOpen}
      >
        {open ? "Close editor" : "Edit"}
        <span class="visually-hidden">{` ${title}`}</span>
      </button>
      <button
        type="button"
        class="btn danger-text"
        disabled={!mounted}
        onClick={() => removeProvider(store, p.uid)}
      >
        Delete<span class="visually-hidden">{` ${title}`}</span>
      </button>
    </div>
  );
}

/** The Test button (and, for a passthrough provider, the key to test with). */
function TestControl(
  { store, p, changed }: { store: Store; p: ProviderDraft; changed: string | null },
) {
  const [apiKey, setApiKey] = useState("");
  const running = store.tests.value[p.uid]?.running ?? false;
  const unsaved = changed !== null || p.origId === null;
  const needsKey = p.passthrough;
  const run = () => void testProvider(store, p.uid, p.origId!, needsKey ? apiKey : undefined);
  return (
    <form
      class="test"
      onSubmit={(e) => {
        e.preventDefault();
        run();
      }}
    >
      {needsKey && !unsaved && (
        <>
          <label class="visually-hidden" for={`${p.uid}-test-key`}>
            API key to test {p.name || p.id} with
          </label>
          <input
            id={`${p.uid}-test-key`}
            type="password"
            class="test-key"
            autoComplete="off"
            placeholder="API key for the test"
            value={apiKey}
            disabled={!store.mounted.value}
            onInput={(e) => setApiKey(val(e))}
          />
        </>
      )}
      <button
        type="submit"
        class="btn"
        disabled={!store.mounted.value || unsaved || running || (needsKey && apiKey.trim() === "")}
        title={unsaved
          ? "Save first: the test runs against the saved provider"
          : needsKey && !apiKey.trim()
          ? "A passthrough provider has no key of its own: type one to test with"
          : "Send a one-token request through this provider alone"}
      >
        {running ? "Testing…" : "Test"}
        <span class="visually-hidden">{` ${p.name || p.id}`}</span>
      </button>
    </form>
  );
}

/** How the last test of this provider went. */
export function TestResultLine({ store, uid }: { store: Store; uid: string }) {
  const r = store.tests.value[uid];
  if (!r || r.running) return null;
  return (
    <p class={`test-result ${r.ok ? "ok" : "fail"}`} role="status">
      {r.ok ? "✓ Test passed" : "✗ Test failed"}
      {r.status !== undefined && r.status !== null && ` · HTTP ${r.status}`}
      {r.latencyMs !== undefined && ` · ${r.latencyMs} ms`}
      {r.model && ` · model ${r.model}`}
      {r.error && ` · ${r.error}`}
    </p>
  );
}
