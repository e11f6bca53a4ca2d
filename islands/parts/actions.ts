/** What the buttons do: save, discard, reorder, test, status refresh, access keys, import. */
import type { Config } from "../../lib/config/schema.ts";
import { api, type ApiErrorBody, errorMessage } from "./api.ts";
import { emptyValue, fromConfig, providerDraft, toConfig, uniqueId } from "./draft.ts";
import { fieldKeyForIssue } from "./validate_draft.ts";
import { announce, edit, type StatusReport, type Store, type TestResult } from "./store.ts";
import type { Preset } from "../../lib/config/presets.ts";

/** Replaces the saved config (after a save, an import or a reload) and resets the draft. */
export function adopt(store: Store, config: Config, version: string | null): void {
  store.saved.value = config;
  store.version.value = version;
  store.draft.value = fromConfig(config, store.draft.value);
  store.serverErrors.value = {};
  store.showAll.value = false;
  const uids = new Set(store.draft.value.providers.map((p) => p.uid));
  store.open.value = store.open.value.filter((u) => uids.has(u));
}

const etagOf = (h: Headers) => h.get("etag")?.replace(/^W\//, "").replace(/"/g, "") ?? null;

/** Saves the draft: nothing is lost when the server refuses it. */
export async function save(store: Store): Promise<boolean> {
  if (store.saving.value) return false;
  store.showAll.value = true;
  const errors = Object.keys(store.validation.value.errors);
  if (errors.length > 0) {
    store.notice.value = {
      kind: "error",
      text: `Fix ${errors.length} problem${errors.length > 1 ? "s" : ""} marked in red, then save.`,
      local: true,
    };
    openProvidersWithErrors(store, errors);
    focusFirstError();
    return false;
  }
  const { body, sent } = toConfig(store.draft.value);
  store.saving.value = true;
  try {
    const version = store.version.value;
    const res = await api<Config & ApiErrorBody>(
      store,
      "PUT",
      "/admin/api/config",
      body,
      version ? { "if-match": `"${version}"` } : {},
    );
    if (res.ok) {
      adopt(store, res.data, etagOf(res.headers));
      store.notice.value = { kind: "ok", text: "Saved. The new chain is live." };
      announce(store, "Saved");
      void refreshStatus(store);
      return true;
    }
    if (res.status === 400 && res.data.error?.issues) {
      const mapped: Record<string, string> = {};
      const general: string[] = [];
      for (const issue of res.data.error.issues) {
        const key = fieldKeyForIssue(issue.path, sent);
        if (key === "_" || key === "providers") general.push(`${issue.path}: ${issue.message}`);
        else mapped[key] ??= issue.message;
      }
      // A field the schema wants but the form does not show yet: add it, so the message has a
      // place next to its input.
      const catalog = store.data.extraFields;
      const missing = Object.keys(mapped).map((k) => k.split(".")).filter(([uid, field]) => {
        const p = store.draft.value.providers.find((x) => x.uid === uid);
        // Fields with their own controls (such as `quota`) are not added as generic ones.
        return p && !(field in p) && !(field in p.extra) && catalog.some((f) => f.name === field);
      });
      if (missing.length) {
        edit(store, (d) => {
          for (const [uid, field] of missing) {
            const f = catalog.find((x) => x.name === field)!;
            d.providers.find((x) => x.uid === uid)!.extra[field] = emptyValue(f.kind, f.options);
          }
        });
      }
      store.serverErrors.value = mapped;
      openProvidersWithErrors(store, Object.keys(mapped));
      store.notice.value = {
        kind: "error",
        text: `Not saved: ${res.data.error.message ?? "the config is not valid"}${
          general.length ? ` — ${general.join("; ")}` : ""
        }. Your edits are still here.`,
      };
      focusFirstError();
    } else if (res.status === 412 || res.status === 409) {
      store.notice.value = {
        kind: "error",
        text: "Not saved: the config was changed elsewhere since this page loaded. " +
          "Your edits are still here; load the latest config to start over from it.",
        reload: true,
      };
    } else if (res.status === 401) {
      store.notice.value = {
        kind: "error",
        text: "Not saved: your session ended. Log in again in another tab, then save here; " +
          "your edits are kept on this page.",
      };
    } else {
      store.notice.value = { kind: "error", text: `Not saved: ${errorMessage(res)}` };
    }
    announce(store, "Not saved");
    return false;
  } finally {
    store.saving.value = false;
  }
}

function openProvidersWithErrors(store: Store, keys: string[]): void {
  const uids = new Set(keys.map((k) => k.split(".")[0]));
  const open = new Set(store.open.value);
  for (const p of store.draft.value.providers) if (uids.has(p.uid)) open.add(p.uid);
  store.open.value = [...open];
}

function focusFirstError(): void {
  if (typeof document === "undefined") return;
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>("[aria-invalid='true']");
    el?.focus();
  });
}

/** Drops every unsaved edit. */
export function discard(store: Store): void {
  adopt(store, store.saved.value, store.version.value);
  store.notice.value = { kind: "info", text: "Unsaved changes discarded." };
}

/** Loads the stored config (after a conflict), dropping the draft. */
export async function reloadConfig(store: Store): Promise<void> {
  const res = await api<Config>(store, "GET", "/admin/api/config");
  if (res.ok) {
    adopt(store, res.data, etagOf(res.headers));
    store.notice.value = { kind: "info", text: "Loaded the latest config." };
  } else store.notice.value = { kind: "error", text: errorMessage(res) };
}

/** Moves a provider by `delta` places (keyboard buttons) or to `to` (drag and drop). */
export function moveProvider(store: Store, uid: string, to: number): void {
  const list = store.draft.value.providers;
  const from = list.findIndex((p) => p.uid === uid);
  if (from === -1) return;
  const target = Math.max(0, Math.min(list.length - 1, to));
  if (target === from) return;
  edit(store, (d) => {
    const [p] = d.providers.splice(from, 1);
    d.providers.splice(target, 0, p);
  });
  const p = store.draft.value.providers[target];
  announce(store, `${p.name || p.id} moved to position ${target + 1} of ${list.length}`);
}

/** Adds a provider from a preset, opened for editing. */
export function addFromPreset(store: Store, preset: Preset): string {
  const taken = store.draft.value.providers.map((p) => p.id);
  const id = uniqueId(preset.id.replace(/-(anthropic|key)$/, ""), taken);
  const uid = `n${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const draft = providerDraft({ ...structuredClone(preset.provider), id, keys: [] }, uid, false);
  if (!draft.passthrough && preset.needsKeys) {
    draft.keys = [{ uid: `${uid}k0`, value: "", stored: false }];
  }
  edit(store, (d) => d.providers.push(draft));
  store.open.value = [...store.open.value, uid];
  announce(store, `${preset.label} added at the end of the chain; not saved yet`);
  return uid;
}

export function removeProvider(store: Store, uid: string): void {
  const p = store.draft.value.providers.find((x) => x.uid === uid);
  edit(store, (d) => {
    d.providers = d.providers.filter((x) => x.uid !== uid);
  });
  if (p) announce(store, `${p.name || p.id} removed; save to apply, or discard to undo`);
}

/** Re-reads the live state (every few seconds while the page is visible). */
export async function refreshStatus(store: Store): Promise<void> {
  const res = await api<StatusReport>(store, "GET", "/admin/api/status");
  if (res.ok) store.status.value = res.data;
}

export function startStatusPolling(store: Store, everyMs = 5000): void {
  setInterval(() => {
    // Keeps going after a 401, so the page notices a login made in another tab.
    if (document.visibilityState === "visible") void refreshStatus(store);
  }, everyMs);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void refreshStatus(store);
  });
}

/** Runs the admin test for one saved provider. */
export async function testProvider(
  store: Store,
  uid: string,
  id: string,
  apiKey?: string,
): Promise<void> {
  const set = (r: TestResult) => (store.tests.value = { ...store.tests.value, [uid]: r });
  set({ running: true });
  const res = await api<TestResult & ApiErrorBody>(
    store,
    "POST",
    `/admin/api/providers/${encodeURIComponent(id)}/test`,
    apiKey ? { apiKey } : {},
  );
  if (res.ok) {
    set({ ...res.data, running: false });
    announce(
      store,
      res.data.ok ? `Test passed: ${res.data.status}` : `Test failed: ${res.data.error}`,
    );
  } else {
    set({ running: false, ok: false, status: res.status, error: errorMessage(res) });
  }
  void refreshStatus(store);
}

export async function createAccessKey(store: Store, label: string): Promise<string | null> {
  const res = await api<
    { id: string; label: string; key: string; hint: string; createdAt: string }
  >(
    store,
    "POST",
    "/admin/api/access-keys",
    { label },
  );
  if (!res.ok) return errorMessage(res);
  const { key, ...view } = res.data;
  store.createdKey.value = { id: view.id, label: view.label, key };
  store.accessKeys.value = [...store.accessKeys.value, view];
  announce(store, `Access key ${view.label} created; copy it now, it is shown only once`);
  return null;
}

export async function revokeAccessKey(store: Store, id: string): Promise<string | null> {
  const res = await api(store, "DELETE", `/admin/api/access-keys/${encodeURIComponent(id)}`);
  if (!res.ok && res.status !== 404) return errorMessage(res);
  const gone = store.accessKeys.value.find((k) => k.id === id);
  store.accessKeys.value = store.accessKeys.value.filter((k) => k.id !== id);
  if (store.createdKey.value?.id === id) store.createdKey.value = null;
  announce(store, `Access key ${gone?.label ?? id} revoked`);
  return null;
}

/** Imports a config (Detour's or claude-code-fallback's) through the same validated PUT. */
export async function importConfig(
  store: Store,
  text: string,
): Promise<{ ok: true } | { ok: false; message: string; issues: string[] }> {
  try {
    JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `This is not valid JSON: ${(err as Error).message}`, issues: [] };
  }
  const res = await api<Config & ApiErrorBody>(store, "PUT", "/admin/api/config", text);
  if (!res.ok) {
    return {
      ok: false,
      message: errorMessage(res),
      issues: (res.data.error?.issues ?? []).map((i) => `${i.path || "(config)"}: ${i.message}`),
    };
  }
  adopt(store, res.data, etagOf(res.headers));
  store.notice.value = {
    kind: "ok",
    text: `Imported: ${res.data.providers.length} provider(s). The new chain is live.`,
  };
  void refreshStatus(store);
  return { ok: true };
}

/** Downloads `data` as a JSON file. */
export function downloadJson(name: string, data: unknown): void {
  const blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The explicit export with stored keys (the second confirmation is the caller's). */
export async function exportWithSecrets(store: Store): Promise<string | null> {
  const res = await api<Config>(store, "POST", "/admin/api/config/export", {
    confirm: "include-secrets",
  });
  if (!res.ok) return errorMessage(res);
  downloadJson("detour-config-with-keys.json", res.data);
  return null;
}

/** Copies text, with a fallback for pages that are not a secure context. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
