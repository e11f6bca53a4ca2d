/**
 * Island: the request log — filter by provider, status, model and time; a page of entries at a
 * time, newest first; one entry's attempts and captured bodies in a dialog. Fetched from the
 * admin API in the browser (the server render only says so), filters kept in the URL.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage } from "./parts/api.ts";
import type { Store } from "./parts/store.ts";
import {
  appendPage,
  DEFAULT_FILTERS,
  fellBack,
  type Filters,
  formatMs,
  formatTokens,
  isFiltered,
  listPath,
  localTime,
  nextPage,
  outcomeText,
  PAGE_SIZE,
  providerLabel,
  readFilters,
  relativeTime,
  type RequestLogEntry,
  resolveWindow,
  statusKind,
  type Window,
  writeFilters,
} from "./parts/request_log.ts";

interface CapturedBodies {
  request: string;
  response: string | null;
}

type Detail = RequestLogEntry & { bodies: CapturedBodies | null };

type ListState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready" };

const STATUS_CHOICES = [
  ["", "All"],
  ["ok", "OK (below 400)"],
  ["error", "Errors (400 and up)"],
  ["code", "A status code…"],
] as const;

const RANGE_CHOICES = [
  ["1h", "Last hour"],
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
  ["custom", "Custom range…"],
] as const;

export default function RequestLog({ store }: { store: Store }) {
  const mounted = store.mounted.value;
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  // What the text fields hold while typed; applied on change (Enter or leaving the field).
  const [modelText, setModelText] = useState("");
  const [codeText, setCodeText] = useState("");
  const [codeMode, setCodeMode] = useState(false);
  const [entries, setEntries] = useState<RequestLogEntry[]>([]);
  const [state, setState] = useState<ListState>({ kind: "idle" });
  const [more, setMore] = useState<"no" | "yes" | "loading">("no");
  const [moreError, setMoreError] = useState<string | null>(null);
  const [span, setSpan] = useState<Window>({});
  const [now, setNow] = useState(0);
  const [live, setLive] = useState("");
  const [detail, setDetail] = useState<
    { id: string; data: Detail | null; error: string | null } | null
  >(null);
  // Answers to an older load are dropped once a newer one was started.
  const generation = useRef(0);
  const dialog = useRef<HTMLDialogElement>(null);

  const providers = store.saved.value.providers.map((p) => ({ id: p.id, name: p.name }));
  const labelOf = (label: string) => providerLabel(label, providers);

  async function load(f: Filters) {
    const gen = ++generation.current;
    const at = Date.now();
    const w = resolveWindow(f, at);
    setNow(at);
    setMoreError(null);
    if ("error" in w) {
      setEntries([]);
      setMore("no");
      setState({ kind: "error", message: w.error });
      return;
    }
    setSpan(w);
    setState({ kind: "loading" });
    const res = await api<{ requests: RequestLogEntry[] }>(store, "GET", listPath(f, w));
    if (gen !== generation.current) return;
    if (!res.ok) {
      setEntries([]);
      setMore("no");
      setState({ kind: "error", message: loadError(res.status, errorMessage(res)) });
      setLive("The request log did not load.");
      return;
    }
    setEntries(res.data.requests);
    setMore(res.data.requests.length >= PAGE_SIZE ? "yes" : "no");
    setState({ kind: "ready" });
    setLive(`${res.data.requests.length} request(s) shown.`);
  }

  async function loadMore() {
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

  /** Applies new filters: the URL keeps them (reload and links), then the list reloads. */
  function apply(next: Filters) {
    setFilters(next);
    const url = new URL(location.href);
    const search = writeFilters(url.search, next);
    // The anchor brings a reload back to this section.
    const hash = isFiltered(next) ? "#requests" : url.hash;
    history.replaceState(history.state, "", `${url.pathname}${search}${hash}`);
    load(next);
  }

  // First load once hydrated: the filters come from the URL only now, so the server render and
  // the hydrating one match.
  useEffect(() => {
    if (!mounted) return;
    const f = readFilters(location.search);
    setFilters(f);
    setModelText(f.model);
    setCodeText(/^\d+$/.test(f.status) ? f.status : "");
    setCodeMode(/^\d+$/.test(f.status));
    load(f);
  }, [mounted]);

  // The dialog opens modally once its entry is chosen (focus moves into it, Escape closes it).
  useEffect(() => {
    const d = dialog.current;
    if (detail && d && !d.open) d.showModal();
  }, [detail?.id]);

  async function openDetail(id: string) {
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

  const statusChoice = codeMode ? "code" : filters.status;
  const disabled = !mounted;
  const providerOptions = filters.provider && !providers.some((p) => p.id === filters.provider)
    ? [...providers, { id: filters.provider, name: filters.provider }]
    : providers;
  const models = [...new Set(entries.flatMap((e) => [e.model, e.modelServed ?? e.model]))];

  return (
    <div class="request-log">
      <form
        class="rl-filters"
        aria-label="Filter the request log"
        onSubmit={(e) => {
          e.preventDefault();
          apply({
            ...filters,
            model: modelText.trim(),
            status: codeMode ? codeStatus(codeText, filters.status) : filters.status,
          });
        }}
      >
        <div class="field">
          <label for="rl-provider">Provider</label>
          <select
            id="rl-provider"
            disabled={disabled}
            value={filters.provider}
            onChange={(e) => apply({ ...filters, provider: e.currentTarget.value })}
          >
            <option value="">All providers</option>
            {providerOptions.map((p) => <option key={p.id} value={p.id}>{p.name || p.id}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="rl-status">Status</label>
          <select
            id="rl-status"
            disabled={disabled}
            value={statusChoice}
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (v === "code") {
                setCodeMode(true);
                // Nothing to filter by until a code is typed.
                setTimeout(() => document.getElementById("rl-code")?.focus(), 0);
                return;
              }
              setCodeMode(false);
              setCodeText("");
              apply({ ...filters, status: v });
            }}
          >
            {STATUS_CHOICES.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
          </select>
        </div>
        {codeMode && (
          <div class="field rl-code">
            <label for="rl-code">Code</label>
            <input
              id="rl-code"
              type="number"
              min={100}
              max={599}
              placeholder="429"
              disabled={disabled}
              value={codeText}
              onInput={(e) => setCodeText(e.currentTarget.value)}
              onChange={(e) =>
                apply({ ...filters, status: codeStatus(e.currentTarget.value, filters.status) })}
            />
          </div>
        )}
        <div class="field rl-model">
          <label for="rl-model">Model</label>
          <input
            id="rl-model"
            type="text"
            list="rl-models"
            placeholder="exact name"
            autocomplete="off"
            spellcheck={false}
            maxLength={200}
            disabled={disabled}
            value={modelText}
            onInput={(e) => setModelText(e.currentTarget.value)}
            onChange={(e) => apply({ ...filters, model: e.currentTarget.value.trim() })}
          />
          <datalist id="rl-models">
            {models.map((m) => <option key={m} value={m} />)}
          </datalist>
        </div>
        <div class="field">
          <label for="rl-range">Time</label>
          <select
            id="rl-range"
            disabled={disabled}
            value={filters.range}
            onChange={(e) =>
              apply({ ...filters, range: e.currentTarget.value as Filters["range"] })}
          >
            {RANGE_CHOICES.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
          </select>
        </div>
        {filters.range === "custom" && (
          <>
            <div class="field rl-when">
              <label for="rl-since">From</label>
              <input
                id="rl-since"
                type="datetime-local"
                disabled={disabled}
                value={filters.since}
                onChange={(e) => apply({ ...filters, since: e.currentTarget.value })}
              />
            </div>
            <div class="field rl-when">
              <label for="rl-until">To</label>
              <input
                id="rl-until"
                type="datetime-local"
                disabled={disabled}
                value={filters.until}
                onChange={(e) => apply({ ...filters, until: e.currentTarget.value })}
              />
            </div>
          </>
        )}
        <div class="rl-actions">
          <button type="submit" class="btn" disabled={disabled}>Apply</button>
          <button
            type="button"
            class="btn"
            disabled={disabled || state.kind === "loading"}
            onClick={() => load(filters)}
          >
            {state.kind === "loading" ? "Loading…" : "Refresh"}
          </button>
          {isFiltered(filters) && (
            <button
              type="button"
              class="btn danger-text"
              disabled={disabled}
              onClick={() => {
                setModelText("");
                setCodeText("");
                setCodeMode(false);
                apply(DEFAULT_FILTERS);
              }}
            >
              Clear filters
            </button>
          )}
        </div>
      </form>

      <p class="visually-hidden" role="status" aria-live="polite">{live}</p>

      {state.kind === "idle" && (
        <p class="empty">
          The request log loads with JavaScript (or read it from{" "}
          <code>GET /admin/api/requests</code>).
        </p>
      )}
      {state.kind === "loading" && entries.length === 0 && (
        <p class="empty" aria-busy="true">Loading the request log…</p>
      )}
      {state.kind === "error" && (
        <div class="rl-error" role="alert">
          <p class="msg error">Could not load the request log: {state.message}</p>
          <button type="button" class="btn small" onClick={() => load(filters)}>
            Try again
          </button>
        </div>
      )}
      {state.kind === "ready" && entries.length === 0 && (
        <p class="empty">
          {isFiltered(filters)
            ? "No logged request matches these filters."
            : "No requests in the last 24 hours. Send one through Detour, then refresh."}
        </p>
      )}

      {entries.length > 0 && state.kind !== "error" && (
        <>
          <div class="rl-table-wrap">
            <table class="rl-table" aria-busy={state.kind === "loading" ? "true" : undefined}>
              <caption class="visually-hidden">
                Logged requests, newest first. Each time opens the request's attempts.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Access key</th>
                  <th scope="col">Model</th>
                  <th scope="col">Served by</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Status</th>
                  <th scope="col">Tokens</th>
                  <th scope="col">ms</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <Row
                    key={e.id}
                    entry={e}
                    now={now}
                    labelOf={labelOf}
                    selected={detail?.id === e.id}
                    onOpen={() => openDetail(e.id)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <div class="rl-more">
            <span class="hint">{entries.length} request(s) shown, newest first.</span>
            {more !== "no" && (
              <button
                type="button"
                class="btn"
                disabled={more === "loading"}
                onClick={loadMore}
              >
                {more === "loading" ? "Loading…" : "Load more"}
              </button>
            )}
            {moreError && <p class="msg error" role="alert">{moreError}</p>}
          </div>
        </>
      )}

      <dialog
        ref={dialog}
        class="rl-dialog"
        aria-labelledby="rl-detail-title"
        onClose={closed}
        onClick={(e) => {
          // A click on the backdrop (the dialog element itself, outside its panel) closes it.
          if (e.target === e.currentTarget) e.currentTarget.close();
        }}
      >
        {detail && (
          <div class="rl-panel">
            <div class="rl-panel-head">
              <h3 id="rl-detail-title">Request details</h3>
              <button
                type="button"
                class="btn small"
                onClick={() => dialog.current?.close()}
              >
                Close
              </button>
            </div>
            {detail.error && <p class="msg error" role="alert">{detail.error}</p>}
            {!detail.data && !detail.error && <p class="hint" aria-busy="true">Loading…</p>}
            {detail.data && <DetailBody d={detail.data} labelOf={labelOf} />}
          </div>
        )}
      </dialog>
    </div>
  );
}

function rowButtonId(id: string): string {
  return `rl-open-${id}`;
}

/** The status filter for a typed code: the code when it is one, else the filter unchanged. */
function codeStatus(text: string, current: string): string {
  const t = text.trim();
  return /^[1-5]\d\d$/.test(t) ? t : t === "" ? "" : current;
}

function loadError(status: number, message: string): string {
  if (status === 401) return "the session has ended; log in again in another tab, then refresh.";
  return message;
}

function Row(
  { entry: e, now, labelOf, selected, onOpen }: {
    entry: RequestLogEntry;
    now: number;
    labelOf: (label: string) => { name: string; key: string | null };
    selected: boolean;
    onOpen: () => void;
  },
) {
  const at = Date.parse(e.time);
  const served = e.servedBy ? labelOf(e.servedBy) : null;
  const t = e.tokens;
  return (
    // The whole row opens the details for a pointer; the button in it is the keyboard's way.
    <tr
      class={`${statusKind(e.status)}${selected ? " selected" : ""}`}
      data-request-id={e.id}
      onClick={onOpen}
    >
      <td class="rl-time">
        <button
          type="button"
          class="rl-open"
          id={rowButtonId(e.id)}
          aria-haspopup="dialog"
        >
          <time dateTime={e.time}>{localTime(at, now)}</time>
          <span class="visually-hidden">{`: details of the ${e.model} request`}</span>
        </button>
        <span class="hint small">{relativeTime(at, now)}</span>
      </td>
      <td>{e.accessKey ?? <span class="rl-muted">—</span>}</td>
      <td class="rl-model-cell">
        <span class="rl-mono">{e.model}</span>
        {e.modelServed && e.modelServed !== e.model && (
          <span class="rl-mono rl-served">
            <span aria-hidden="true">→</span>
            <span class="visually-hidden">served as</span> {e.modelServed}
          </span>
        )}
      </td>
      <td>
        {served ? served.name : <span class="rl-muted">none</span>}
        {/* A single key is labelled like its provider: only a numbered one says more. */}
        {e.key && e.key !== e.servedBy && <span class="hint small rl-mono">{e.key}</span>}
      </td>
      <td>
        {e.attempts.length}
        {fellBack(e) && <span class="badge badge-cooling rl-fallback">fell back</span>}
      </td>
      <td>
        <span class={`badge ${e.status < 400 ? "badge-healthy" : "badge-failing"}`}>
          {e.status}
        </span>
        {e.end !== "complete" && <span class="hint small">{e.end.replace(/_/g, " ")}</span>}
      </td>
      <td class="rl-tokens">
        {t
          ? (
            <>
              <span>
                {formatTokens(t.input)} in · {formatTokens(t.output)} out
              </span>
              {(t.cacheRead > 0 || t.cacheWrite > 0) && (
                <span class="hint small">
                  cache {formatTokens(t.cacheRead)} read · {formatTokens(t.cacheWrite)} written
                </span>
              )}
            </>
          )
          : <span class="rl-muted">—</span>}
      </td>
      <td class="rl-ms">
        <span>{formatMs(e.ms)}</span>
        <span class="hint small">first byte {formatMs(e.ttfbMs)}</span>
      </td>
    </tr>
  );
}

function DetailBody(
  { d, labelOf }: { d: Detail; labelOf: (label: string) => { name: string; key: string | null } },
) {
  const served = d.servedBy ? labelOf(d.servedBy) : null;
  const t = d.tokens;
  const facts: [string, string][] = [
    ["Time", new Date(d.time).toLocaleString()],
    ["Request id", d.requestId],
    ["Endpoint", `${d.endpoint}${d.stream ? " (stream)" : ""}`],
    ["Access key", d.accessKey ?? "none"],
    ["Model asked", d.model],
    ["Model served", d.modelServed ?? "—"],
    [
      "Served by",
      served ? served.name + (d.key ? ` (key ${d.key})` : " (client's credential)") : "none",
    ],
    ["Status", `${d.status} · ${d.end.replace(/_/g, " ")}`],
    [
      "Tokens",
      t
        ? `${t.input} in · ${t.output} out · cache ${t.cacheRead} read, ${t.cacheWrite} written`
        : "not reported",
    ],
    ["Timing", `first byte ${formatMs(d.ttfbMs)} · total ${formatMs(d.ms)}`],
  ];
  return (
    <>
      <dl class="rl-facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <h4>Attempts ({d.attempts.length})</h4>
      <ol class="rl-attempts">
        {d.attempts.map((a, i) => {
          const p = labelOf(a.provider);
          return (
            <li key={i} class={a.outcome === "ok" ? "ok" : "failed"} data-attempt={i + 1}>
              <div class="rl-attempt-head">
                <strong>{p.name}</strong>
                {p.key && <span class="hint small rl-mono">{p.key}</span>}
                <span
                  class={`badge ${
                    a.status !== null && a.status < 400 ? "badge-healthy" : "badge-failing"
                  }`}
                >
                  {a.status ?? "no status"}
                </span>
                <span>{outcomeText(a)}</span>
                <span class="hint small">{formatMs(a.ms)}</span>
              </div>
              {a.error && <p class="rl-attempt-error">{a.error}</p>}
            </li>
          );
        })}
      </ol>
      <h4>Bodies</h4>
      {d.bodies
        ? (
          <>
            <p class="hint">Truncated and redacted by debug capture.</p>
            <h5>Request</h5>
            <pre class="rl-body" tabIndex={0} aria-label="Request body">{d.bodies.request}</pre>
            <h5>Response</h5>
            {d.bodies.response === null ? <p class="hint">No response body was captured.</p> : (
              <pre
                class="rl-body"
                tabIndex={0}
                aria-label="Response body"
              >{d.bodies.response}</pre>
            )}
          </>
        )
        : (
          <p class="hint">
            {d.hasBodies
              ? "The captured bodies have expired."
              : "Not captured: bodies are stored only while debug capture is on (Settings, Debug body capture)."}
          </p>
        )}
    </>
  );
}
