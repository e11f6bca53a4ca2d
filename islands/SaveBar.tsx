/** Island: the sticky bar that marks unsaved changes and saves or discards them. */
import { useEffect } from "preact/hooks";
import { discard, reloadConfig, save } from "./parts/actions.ts";
import { providerChanged, type Store } from "./parts/store.ts";

export default function SaveBar({ store }: { store: Store }) {
  const dirty = store.dirty.value;
  const current = store.notice.value;
  // "Fix the problems" goes once they are fixed; good news fades after a few seconds.
  const notice = current?.local && Object.keys(store.validation.value.errors).length === 0
    ? null
    : current;
  useEffect(() => {
    if (!current || current.kind === "error") return;
    const timer = setTimeout(() => {
      if (store.notice.value === current) store.notice.value = null;
    }, 8000);
    return () => clearTimeout(timer);
  }, [current]);
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (store.dirty.value) e.preventDefault();
    };
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, []);
  const draft = store.draft.value.providers;
  const savedIds = store.saved.value.providers.map((p) => p.id);
  const added = draft.filter((p) => providerChanged(store, p) === "new").length;
  const edited = draft.filter((p) => providerChanged(store, p) === "edited").length;
  const removed = savedIds.filter((id) => !draft.some((p) => p.origId === id)).length;
  const parts = [
    added && `${added} new`,
    edited && `${edited} edited`,
    removed && `${removed} removed`,
  ].filter(Boolean);
  return (
    <div
      class={`savebar ${dirty ? "dirty" : ""} ${
        !dirty && !notice && !store.sessionLost.value ? "idle" : ""
      }`}
      role="region"
      aria-label="Save changes"
    >
      {store.sessionLost.value && (
        <p class="notice error">
          Your session has ended.{" "}
          <a href="/admin/login" target="_blank" rel="noopener">Log in again</a>{" "}
          (in a new tab, so nothing here is lost), then come back and save.
        </p>
      )}
      {notice && (
        <p class={`notice ${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"}>
          {notice.text}
          {notice.reload && (
            <button
              type="button"
              class="btn small"
              onClick={() => void reloadConfig(store)}
            >
              Load the latest config
            </button>
          )}
          <button
            type="button"
            class="btn icon small"
            aria-label="Dismiss"
            onClick={() => (store.notice.value = null)}
          >
            ✕
          </button>
        </p>
      )}
      <div class="savebar-row">
        <p class="state" aria-live="polite">
          {dirty
            ? (
              <>
                <span class="dot" aria-hidden="true" /> Unsaved changes
                {parts.length > 0 && <span class="hint">({parts.join(", ")} provider(s))</span>}
              </>
            )
            : "All changes saved"}
        </p>
        <div class="savebar-actions">
          <button
            type="button"
            class="btn"
            disabled={!store.mounted.value || !dirty || store.saving.value}
            onClick={() => discard(store)}
          >
            Discard
          </button>
          <button
            type="button"
            class="btn primary"
            disabled={!store.mounted.value || !dirty || store.saving.value}
            onClick={() => void save(store)}
          >
            {store.saving.value ? "Saving…" : "Save changes"}
          </button>
        </div>
      </div>
      <p class="visually-hidden" aria-live="polite">{store.announcement.value}</p>
    </div>
  );
}
