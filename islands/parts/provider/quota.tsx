/** The provider editor's token quota section. */
import { emptyQuota, QUOTA_PERIODS, type QuotaDraft, WEEK_DAYS } from "../draft.ts";
import { editProvider } from "../store.ts";
import { Field, RowMessage, val } from "../ui.tsx";
import type { Props } from "./props.ts";

/** The provider's token budget: set, change or clear it. */
export function QuotaEditor({ store, p }: Props) {
  const q = p.quota;
  const id = (f: string) => `${p.uid}-quota-${f}`;
  const setQuota = (quota: QuotaDraft | null, field?: keyof QuotaDraft) =>
    editProvider(store, p.uid, (x) => {
      x.quota = quota;
    }, field ? [`quota.${field}`, "quota"] : ["quota", ...QUOTA_FIELDS.map((f) => `quota.${f}`)]);
  const set = <K extends keyof QuotaDraft>(field: K, value: QuotaDraft[K]) =>
    q && setQuota({ ...q, [field]: value }, field);
  return (
    <div class="group quota-editor" role="group" aria-labelledby={id("title")}>
      <div class="group-head">
        <h4 id={id("title")}>Token quota</h4>
        <p class="hint">
          A budget of tokens (input + output + cache, as the answers report them) per UTC day, week
          or month. Past the threshold this provider is skipped, like a cooling one, until the
          period resets.
        </p>
      </div>
      {q === null
        ? (
          <button
            type="button"
            class="btn small"
            onClick={() => {
              setQuota(emptyQuota());
              requestAnimationFrame(() => document.getElementById(id("tokens"))?.focus());
            }}
          >
            + Set a token quota
          </button>
        )
        : <QuotaFields store={store} p={p} q={q} set={set} remove={() => setQuota(null)} />}
      <RowMessage store={store} errorKey={`${p.uid}.quota`} id={id("msg")} />
    </div>
  );
}

/** A set quota's fields: budget, period (and a week's first day), threshold, per key; remove. */
function QuotaFields(
  { store, p, q, set, remove }: Props & {
    q: QuotaDraft;
    set: <K extends keyof QuotaDraft>(field: K, value: QuotaDraft[K]) => void;
    remove: () => void;
  },
) {
  const id = (f: string) => `${p.uid}-quota-${f}`;
  const keyCount = p.keys.filter((k) => k.stored || k.value.trim()).length;
  return (
    <>
      <div class="grid two">
        <Field
          store={store}
          id={id("tokens")}
          label="Tokens per period"
          errorKey={`${p.uid}.quota.tokens`}
          hint={q.tokens.trim() && Number(q.tokens) >= 1000
            ? `= ${compactTokens(Number(q.tokens))} tokens`
            : "e.g. 5000000 for 5 M"}
        >
          {(a) => (
            <input
              {...a}
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              required
              value={q.tokens}
              onInput={(e) => set("tokens", val(e))}
            />
          )}
        </Field>
        <Field
          store={store}
          id={id("period")}
          label="Period"
          errorKey={`${p.uid}.quota.period`}
          hint="Resets at 00:00 UTC (a month on its 1st)."
        >
          {(a) => (
            <select {...a} value={q.period} onChange={(e) => set("period", val(e))}>
              {QUOTA_PERIODS.map((v) => <option key={v} value={v}>{v}</option>)}
            </select>
          )}
        </Field>
        {q.period === "week" && (
          <Field
            store={store}
            id={id("weekStartsOn")}
            label="Week starts on"
            errorKey={`${p.uid}.quota.weekStartsOn`}
          >
            {(a) => (
              <select
                {...a}
                value={q.weekStartsOn}
                onChange={(e) => set("weekStartsOn", val(e))}
              >
                {WEEK_DAYS.map((v) => <option key={v} value={v}>{v}</option>)}
              </select>
            )}
          </Field>
        )}
        <Field
          store={store}
          id={id("thresholdPercent")}
          label="Skip past (% of the budget)"
          errorKey={`${p.uid}.quota.thresholdPercent`}
          hint="Leaves room for requests already under way. Default 90."
        >
          {(a) => (
            <input
              {...a}
              type="number"
              inputMode="decimal"
              min={1}
              max={100}
              required
              value={q.thresholdPercent}
              onInput={(e) => set("thresholdPercent", val(e))}
            />
          )}
        </Field>
      </div>
      <div class="check">
        <input
          type="checkbox"
          id={id("perKey")}
          checked={q.perKey}
          onChange={(e) => set("perKey", e.currentTarget.checked)}
        />
        <label for={id("perKey")}>
          A budget for each key
          <span class="hint">
            {keyCount > 1
              ? `Each of the ${keyCount} keys gets this budget; a spent key is skipped, the others go on.`
              : "Each stored key gets this budget instead of the whole provider."}
          </span>
        </label>
      </div>
      <RowMessage store={store} errorKey={`${p.uid}.quota.perKey`} id={id("perKey-msg")} />
      <button type="button" class="btn small danger-text" onClick={remove}>
        Remove quota
      </button>
    </>
  );
}

const QUOTA_FIELDS = ["tokens", "period", "weekStartsOn", "thresholdPercent", "perKey"] as const;

/** 5000000 -> "5 M", 1500 -> "1.5 k": a check on the zeros typed. */
export function compactTokens(n: number): string {
  const units: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [size, unit] of units) {
    if (n >= size) return `${Math.round((n / size) * 100) / 100} ${unit}`;
  }
  return String(n);
}
