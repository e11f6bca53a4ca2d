/** The request log's filter form: provider, status (or a code), model and time range. */
import { type Filters, isFiltered } from "../request_log.ts";
import { codeStatus, type RequestLogModel } from "../use_request_log.ts";

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

/** The filters; a select applies at once, a typed field on change (Enter or leaving it). */
export function FilterForm({ m }: { m: RequestLogModel }) {
  const { filters, typed, apply } = m;
  const disabled = !m.mounted;
  const providerOptions = filters.provider && !m.providers.some((p) => p.id === filters.provider)
    ? [...m.providers, { id: filters.provider, name: filters.provider }]
    : m.providers;
  const models = [
    ...new Set(m.list.entries.flatMap((e) => [e.model, e.modelServed ?? e.model])),
  ];
  return (
    <form
      class="rl-filters"
      aria-label="Filter the request log"
      onSubmit={(e) => {
        e.preventDefault();
        m.submit();
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
      <StatusFields m={m} />
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
          value={typed.model}
          onInput={(e) => m.type({ model: e.currentTarget.value })}
          onChange={(e) => apply({ ...filters, model: e.currentTarget.value.trim() })}
        />
        <datalist id="rl-models">
          {models.map((m) => <option key={m} value={m} />)}
        </datalist>
      </div>
      <TimeFields m={m} />
      <div class="rl-actions">
        <button type="submit" class="btn" disabled={disabled}>Apply</button>
        <button
          type="button"
          class="btn"
          disabled={disabled || m.list.state.kind === "loading"}
          onClick={m.reload}
        >
          {m.list.state.kind === "loading" ? "Loading…" : "Refresh"}
        </button>
        {isFiltered(filters) && (
          <button
            type="button"
            class="btn danger-text"
            disabled={disabled}
            onClick={m.clear}
          >
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}

/** The status choice, and the code field once "A status code…" is chosen. */
function StatusFields({ m }: { m: RequestLogModel }) {
  const { filters, typed, apply } = m;
  const disabled = !m.mounted;
  const statusChoice = typed.codeMode ? "code" : filters.status;
  return (
    <>
      <div class="field">
        <label for="rl-status">Status</label>
        <select
          id="rl-status"
          disabled={disabled}
          value={statusChoice}
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v === "code") {
              m.type({ codeMode: true });
              // Nothing to filter by until a code is typed.
              setTimeout(() => document.getElementById("rl-code")?.focus(), 0);
              return;
            }
            m.type({ codeMode: false, code: "" });
            apply({ ...filters, status: v });
          }}
        >
          {STATUS_CHOICES.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
        </select>
      </div>
      {typed.codeMode && (
        <div class="field rl-code">
          <label for="rl-code">Code</label>
          <input
            id="rl-code"
            type="number"
            min={100}
            max={599}
            placeholder="429"
            disabled={disabled}
            value={typed.code}
            onInput={(e) => m.type({ code: e.currentTarget.value })}
            onChange={(e) =>
              apply({ ...filters, status: codeStatus(e.currentTarget.value, filters.status) })}
          />
        </div>
      )}
    </>
  );
}

/** The time range, and its two ends once "Custom range…" is chosen. */
function TimeFields({ m }: { m: RequestLogModel }) {
  const { filters, apply } = m;
  const disabled = !m.mounted;
  return (
    <>
      <div class="field">
        <label for="rl-range">Time</label>
        <select
          id="rl-range"
          disabled={disabled}
          value={filters.range}
          onChange={(e) => apply({ ...filters, range: e.currentTarget.value as Filters["range"] })}
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
    </>
  );
}
