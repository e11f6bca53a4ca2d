/** Island: export the config (masked, or with keys after a second confirmation) and import one. */
import { useState } from "preact/hooks";
import { exportWithSecrets, importConfig } from "./parts/actions.ts";
import type { Store } from "./parts/store.ts";
import { val } from "./parts/ui.tsx";

export default function ImportExport({ store }: { store: Store }) {
  return (
    <div class="import-export">
      <ExportPanel store={store} />
      <ImportPanel store={store} />
    </div>
  );
}

/** Download the config masked, or with its secrets after a second confirmation. */
function ExportPanel({ store }: { store: Store }) {
  const mounted = store.mounted.value;
  const [confirmExport, setConfirmExport] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  return (
    <div class="panel">
      <h3>Export</h3>
      <p>
        The whole config as JSON. Stored keys and header values are masked, so the file is safe to
        share; importing it here again keeps the stored ones.
      </p>
      <p class="actions">
        <a class="btn" href="/admin/api/config/export" download="detour-config.json">
          Download (keys masked)
        </a>
        {!confirmExport && (
          <button
            type="button"
            class="btn danger-text"
            disabled={!mounted}
            onClick={() => setConfirmExport(true)}
          >
            Export with keys…
          </button>
        )}
      </p>
      {confirmExport && (
        <div class="confirm" role="alertdialog" aria-labelledby="export-warning">
          <p id="export-warning">
            <strong>This file will hold every stored API key in plain text.</strong>{" "}
            Anyone with it can spend them. Keep it somewhere safe.
          </p>
          <p class="actions">
            <button
              type="button"
              class="btn danger"
              onClick={async () => {
                setExportError(await exportWithSecrets(store));
                setConfirmExport(false);
              }}
            >
              Yes, download with keys
            </button>
            <button type="button" class="btn" onClick={() => setConfirmExport(false)}>
              Cancel
            </button>
          </p>
        </div>
      )}
      {exportError && <p class="msg error">{exportError}</p>}
    </div>
  );
}

/** Paste or choose a config; it replaces the whole config once it validates. */
function ImportPanel({ store }: { store: Store }) {
  const mounted = store.mounted.value;
  const [text, setText] = useState("");
  const [confirmImport, setConfirmImport] = useState(false);
  const [result, setResult] = useState<{ message: string; issues: string[] } | null>(null);
  const [busy, setBusy] = useState(false);

  const runImport = async () => {
    setBusy(true);
    const r = await importConfig(store, text);
    setBusy(false);
    setConfirmImport(false);
    if (r.ok) {
      setText("");
      setResult(null);
    } else setResult({ message: r.message, issues: r.issues });
  };

  return (
    <div class="panel">
      <h3>Import</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) {
            setResult({ message: "Paste a config or choose a file first.", issues: [] });
            return;
          }
          if (store.dirty.value) setConfirmImport(true);
          else void runImport();
        }}
      >
        <div class="field">
          <label for="import-text">
            A Detour config, or a claude-code-fallback provider list
          </label>
          <textarea
            id="import-text"
            rows={6}
            spellcheck={false}
            placeholder='{"providers": [...]}'
            value={text}
            disabled={!mounted}
            aria-describedby="import-hint"
            aria-invalid={result ? "true" : undefined}
            onInput={(e) => setText(val(e))}
          />
          <p class="hint" id="import-hint">
            Replaces the whole config once it validates; nothing changes if it does not. Masked keys
            (…) keep the stored key of the same provider.
          </p>
        </div>
        <div class="actions">
          <label class="btn file">
            Choose file…
            <input
              type="file"
              accept="application/json,.json"
              class="visually-hidden"
              disabled={!mounted}
              onChange={async (e) => {
                const file = e.currentTarget.files?.[0];
                if (file) setText(await file.text());
              }}
            />
          </label>
          <button type="submit" class="btn primary" disabled={!mounted || busy}>
            {busy ? "Importing…" : "Import"}
          </button>
        </div>
        {confirmImport && (
          <div class="confirm" role="alertdialog" aria-labelledby="import-warning">
            <p id="import-warning">
              You have unsaved changes on this page. Importing replaces the whole config and drops
              them.
            </p>
            <p class="actions">
              <button
                type="button"
                class="btn danger"
                onClick={() => void runImport()}
              >
                Import anyway
              </button>
              <button
                type="button"
                class="btn"
                onClick={() => setConfirmImport(false)}
              >
                Cancel
              </button>
            </p>
          </div>
        )}
        {result && (
          <div class="msg error" role="alert">
            <p>{result.message}</p>
            {result.issues.length > 0 && (
              <ul>
                {result.issues.map((i) => <li key={i}>{i}</li>)}
              </ul>
            )}
          </div>
        )}
      </form>
    </div>
  );
}
