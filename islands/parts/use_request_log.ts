/**
 * The request log island's state and what changes it: the filters (kept in the URL), the loaded
 * pages of entries, and the entry open in the details dialog. The view only reads and calls this.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage } from "./api.ts";
import type { Store } from "./store.ts";
import {
  appendPage,
  DEFAULT_FILTERS,
  type Filters,
  isFiltered,
  listPath,
  nextPage,
  PAGE_SIZE,
  providerLabel,
  readFilters,
  type RequestLogEntry,
  resolveWindow,
  type Window,
  writeFilters,
} from "./request_log.ts";

export interface CapturedBodies {
  request: string;
  response: string | null;
}

/** One entry as the details endpoint returns it. */
export type Detail = RequestLogEntry & { bodies: CapturedBodies | null };

export type ListState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready" };

/** A provider label (`id` or `id#2`) as a name and key number. */
export type LabelOf = (label: string) => { name: string; key: string | null };

/** The entry whose details are open, while they load or once they did (or did not). */
export interface OpenDetail {
  id: string;
  data: Detail | null;
  error: string | null;
}

/** The filter form's fields as typed, before they are applied. */
export interface Typed {
  model: string;
  code: string;
  /** "A status code…" is chosen: the code field shows. */
  codeMode: boolean;
}

const NOTHING_TYPED: Typed = { model: "", code: "", codeMode: false };

/** The id of a row's open button (focus goes back to it when the dialog closes). */
export function rowButtonId(id: string): string {
  return `rl-open-${id}`;
}

/** The status filter for a typed code: the code when it is one, else the filter unchanged. */
export function codeStatus(text: string, current: string): string {
  const t = text.trim();
  return /^[1-5]\d\d$/.test(t) ? t : t === "" ? "" : current;
}

function loadError(status: number, message: string): string {
  if (status === 401) return "the session has ended; log in again in another tab, then refresh.";
  return message;
}

/** The list: its entries, how loading went, and whether there is more to load. */
function useEntries(store: Store) {
  const [entries, setEntries] = useState<RequestLogEntry[]>([]);
  const [state, setState] = useState<ListState>({ kind: "idle" });
  const [more, setMore] = useState<"no" | "yes" | "loading">("no");
  const [moreError, setMoreError] = useState<string | null>(null);
  const [span, setSpan] = useState<Window>({});
  const [now, setNow] = useState(0);
  const [live, setLive] = useState("");
  // Answers to an older load are dropped once a newer one was started.
  const generation = useRef(0);

  const failed = (message: string) => {
    setEntries([]);
    setMore("no");
    setState({ kind: "error", message });
  };

  async function load(f: Filters) {
    const gen = ++generation.current;
    const at = Date.now();
    const w = resolveWindow(f, at);
    setNow(at);
    setMoreError(null);
    if ("error" in w) return failed(w.error);
    setSpan(w);
    setState({ kind: "loading" });
    const res = await api<{ requests: RequestLogEntry[] }>(store, "GET", listPath(f, w));
    if (gen !== generation.current) return;
    if (!res.ok) {
      failed(loadError(res.status, errorMessage(res)));
      setLive("The request log did not load.");
      return;
    }
    setEntries(res.data.requests);
    setMore(res.data.requests.length >= PAGE_SIZE ? "yes" : "no");
    setState({ kind: "ready" });
    setLive(`${res.data.requests.length} request(s) shown.`);
  }

  async function loadMore(filters: Filters) {
    const gen = generation.current;
    setMore("loading");
    setMoreError(null);
    const page = nextPage(entries, span);
    const res = await api<{ requests: RequestLogEntry[] }>(
      store,
      "GET",
      listPath(filters, span, page),
    );
    if (gen !== generation.current) return;
    if (!res.ok) {
      setMore("yes");
      setMoreError(loadError(res.status, errorMessage(res)));
      return;
    }
    const merged = appendPage(entries, res.data.requests);
    const added = merged.length - entries.length;
    setEntries(merged);
    setMore(res.data.requests.length >= page.limit && added > 0 ? "yes" : "no");
    setLive(`${added} more request(s) shown.`);
  }

  return { entries, state, more, moreError, now, live, load, loadMore };
}

/** The details dialog: which entry is open, its data, and the dialog element. */
function useDetail(store: Store) {
  const [detail, setDetail] = useState<OpenDetail | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  // The dialog opens modally once its entry is chosen (focus moves into it, Escape closes it).
  useEffect(() => {
    const d = dialog.current;
    if (detail && d && !d.open) d.showModal();
  }, [detail?.id]);

  async function open(id: string) {
    setDetail({ id, data: null, error: null });
    const res = await api<Detail>(store, "GET", `/admin/api/requests/${encodeURIComponent(id)}`);
    setDetail((cur) =>
      cur?.id !== id
        ? cur
        : res.ok
        ? { id, data: res.data, error: null }
        : { id, data: null, error: loadError(res.status, errorMessage(res)) }
    );
  }

  function closed() {
    const id = detail?.id;
    setDetail(null);
    // Back to the row's button, so keyboard users keep their place in the table.
    if (id) document.getElementById(rowButtonId(id))?.focus();
  }

  return { detail, dialog, open, closed };
}

/** Everything the request log island shows and does. */
export function useRequestLog(store: Store) {
  const mounted = store.mounted.value;
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  // What the text fields hold while typed; applied on change (Enter or leaving the field).
  const [typed, setTyped] = useState<Typed>(NOTHING_TYPED);
  const list = useEntries(store);
  const detail = useDetail(store);

  const providers = store.saved.value.providers.map((p) => ({ id: p.id, name: p.name }));
  const labelOf: LabelOf = (label) => providerLabel(label, providers);

  /** Applies new filters: the URL keeps them (reload and links), then the list reloads. */
  function apply(next: Filters) {
    setFilters(next);
    const url = new URL(location.href);
    const search = writeFilters(url.search, next);
    // The anchor brings a reload back to this section.
    const hash = isFiltered(next) ? "#requests" : url.hash;
    history.replaceState(history.state, "", `${url.pathname}${search}${hash}`);
    list.load(next);
  }

  // First load once hydrated: the filters come from the URL only now, so the server render and
  // the hydrating one match.
  useEffect(() => {
    if (!mounted) return;
    const f = readFilters(location.search);
    const code = /^\d+$/.test(f.status);
    setFilters(f);
    setTyped({ model: f.model, code: code ? f.status : "", codeMode: code });
    list.load(f);
  }, [mounted]);

  return {
    mounted,
    filters,
    typed,
    type: (change: Partial<Typed>) => setTyped((t) => ({ ...t, ...change })),
    apply,
    /** Back to no filters, typed text included. */
    clear: () => {
      setTyped(NOTHING_TYPED);
      apply(DEFAULT_FILTERS);
    },
    /** The form submitted: the typed model and code become filters. */
    submit: () =>
      apply({
        ...filters,
        model: typed.model.trim(),
        status: typed.codeMode ? codeStatus(typed.code, filters.status) : filters.status,
      }),
    reload: () => list.load(filters),
    loadMore: () => list.loadMore(filters),
    list,
    detail,
    providers,
    labelOf,
  };
}

/** What `useRequestLog` returns: the view's one prop. */
export type RequestLogModel = ReturnType<typeof useRequestLog>;
