/**
 * The page's state, shared by every island: one store per page (created on the server for the
 * first render and again in the browser from the same data, so hydration matches).
 */
import { computed, type ReadonlySignal, type Signal, signal } from "@preact/signals";
import type { PageData } from "../../lib/admin/page_data.ts";
import type { Config } from "../../lib/config/schema.ts";
import { type Draft, fromConfig, type ProviderDraft, toConfig } from "./draft.ts";
import { validate } from "./validate_draft.ts";

export type StatusReport = PageData["status"];
export type ProviderStatus = StatusReport["providers"][number];
/** A provider's or key's quota standing (lib/usage/quota_board.ts). */
export type QuotaStatus = NonNullable<ProviderStatus["quota"]>;
/** Today's and this hour's counts of a provider or key (lib/usage/report.ts). */
export type UsageStatus = NonNullable<ProviderStatus["usage"]>;

/** A message shown in the save bar. */
export interface Notice {
  kind: "ok" | "error" | "info";
  text: string;
  /** Offer to load the stored config (after a conflict). */
  reload?: boolean;
  /** About inline problems only: goes away once they are fixed. */
  local?: boolean;
}

/** The outcome of a provider test. */
export interface TestResult {
  running: boolean;
  ok?: boolean;
  status?: number | null;
  latencyMs?: number;
  model?: string | null;
  error?: string;
}

export interface Store {
  data: PageData;
  /** False until the islands are hydrated: controls stay disabled without JavaScript. */
  mounted: Signal<boolean>;
  saved: Signal<Config>;
  version: Signal<string | null>;
  draft: Signal<Draft>;
  /** The saved config as the draft would send it: what "unsaved" compares against. */
  savedJson: ReadonlySignal<string>;
  dirty: ReadonlySignal<boolean>;
  validation: ReadonlySignal<ReturnType<typeof validate>>;
  /** Errors the server returned, by field key; cleared as each field is edited. */
  serverErrors: Signal<Record<string, string>>;
  /** Show "required" errors too (after a save was tried). */
  showAll: Signal<boolean>;
  saving: Signal<boolean>;
  notice: Signal<Notice | null>;
  status: Signal<StatusReport>;
  /** Uids of providers whose editor is open. */
  open: Signal<string[]>;
  tests: Signal<Record<string, TestResult>>;
  accessKeys: Signal<PageData["accessKeys"]>;
  /** The access key just created: shown once, and used in the Connect lines. */
  createdKey: Signal<{ id: string; label: string; key: string } | null>;
  /** The session ended (401): the draft stays, the user logs in again in another tab. */
  sessionLost: Signal<boolean>;
  /** Text for the screen-reader live region. */
  announcement: Signal<string>;
}

export function createStore(data: PageData): Store {
  const saved = signal(data.config);
  const draft = signal(fromConfig(data.config));
  const savedJson = computed(() => JSON.stringify(toConfig(fromConfig(saved.value)).body));
  return {
    data,
    mounted: signal(false),
    saved,
    version: signal(data.version),
    draft,
    savedJson,
    dirty: computed(() => JSON.stringify(toConfig(draft.value).body) !== savedJson.value),
    validation: computed(() => validate(draft.value)),
    serverErrors: signal({}),
    showAll: signal(false),
    saving: signal(false),
    notice: signal(null),
    status: signal(data.status),
    open: signal([]),
    tests: signal({}),
    accessKeys: signal(data.accessKeys),
    createdKey: signal(null),
    sessionLost: signal(false),
    announcement: signal(""),
  };
}

/** Applies an edit to a copy of the draft; `keys` are the fields it touches (their server errors go). */
export function edit(store: Store, change: (d: Draft) => void, keys: string[] = []): void {
  const next = structuredClone(store.draft.value);
  change(next);
  store.draft.value = next;
  if (keys.length && keys.some((k) => k in store.serverErrors.value)) {
    const errors = { ...store.serverErrors.value };
    for (const k of keys) delete errors[k];
    store.serverErrors.value = errors;
  }
}

/** Edits one provider of the draft by uid. */
export function editProvider(
  store: Store,
  uid: string,
  change: (p: ProviderDraft) => void,
  keys: string[] = [],
): void {
  edit(store, (d) => {
    const p = d.providers.find((x) => x.uid === uid);
    if (p) change(p);
  }, keys.map((k) => `${uid}.${k}`));
}

/**
 * The message for a field: a server error first, then an inline error (required-field errors
 * only once a save was tried or the field has content).
 */
export function fieldError(store: Store, key: string): string | null {
  const server = store.serverErrors.value[key];
  if (server) return server;
  const local = store.validation.value.errors[key];
  if (!local) return null;
  if (!store.showAll.value && /is required$/.test(local)) return null;
  return local;
}

export function fieldWarning(store: Store, key: string): string | null {
  return store.validation.value.warnings[key] ?? null;
}

/** Every error (server and inline) under a prefix such as `<uid>.` */
export function errorsUnder(store: Store, prefix: string): string[] {
  const keys = new Set([
    ...Object.keys(store.serverErrors.value),
    ...Object.keys(store.validation.value.errors),
  ]);
  return [...keys].filter((k) => k.startsWith(prefix));
}

/** Is the saved provider `origId` different in the draft? */
export function providerChanged(store: Store, p: ProviderDraft): "new" | "edited" | null {
  if (p.origId === null) return "new";
  const saved = JSON.parse(store.savedJson.value) as { providers: { id: string }[] };
  const i = saved.providers.findIndex((s) => s.id === p.origId);
  if (i === -1) return "new";
  const mine = toConfig({ ...store.draft.value, providers: [p] }).body.providers as unknown[];
  const index = store.draft.value.providers.findIndex((x) => x.uid === p.uid);
  return JSON.stringify(mine[0]) !== JSON.stringify(saved.providers[i]) || index !== i
    ? "edited"
    : null;
}

export function announce(store: Store, text: string): void {
  // Re-setting the same text would not be read again.
  store.announcement.value = store.announcement.value === text ? `${text}\u00a0` : text;
}
