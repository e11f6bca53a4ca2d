/** The form that edits one provider of the draft (inside its card in the chain). */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import {
  emptyQuota,
  emptyValue,
  newUid,
  type ProviderDraft,
  QUOTA_PERIODS,
  type QuotaDraft,
  type Row,
  WEEK_DAYS,
} from "./draft.ts";
import { editProvider, fieldError, type Store } from "./store.ts";
import { dynType, Field, RowMessage, val } from "./ui.tsx";

const AUTH_HEADERS = ["x-api-key", "authorization"];

interface Props {
  store: Store;
  p: ProviderDraft;
}

export function ProviderEditor({ store, p }: Props) {
  const disabled = !store.mounted.value;
  const id = (f: string) => `${p.uid}-${f}`;
  const set = <K extends keyof ProviderDraft>(field: K, value: ProviderDraft[K]) =>
    editProvider(store, p.uid, (x) => {
      x[field] = value;
    }, [field]);
  const preset = store.data.presets.find((pr) =>
    pr.provider.baseUrl === p.baseUrl && pr.provider.type === p.type
  );
  const types = store.data.providerTypes.includes(p.type)
    ? store.data.providerTypes
    : [...store.data.providerTypes, p.type];
  return (
    <fieldset class="editor" disabled={disabled}>
      <legend class="visually-hidden">Edit {p.name || p.id}</legend>
      <div class="grid two">
        <Field store={store} id={id("name")} label="Name" errorKey={`${p.uid}.name`}>
          {(a) => (
            <input
              {...a}
              type="text"
              value={p.name}
              maxLength={100}
              placeholder="Shown on this page and in logs"
              onInput={(e) => set("name", val(e))}
            />
          )}
        </Field>
        <Field
          store={store}
          id={id("id")}
          label="Id"
          errorKey={`${p.uid}.id`}
          hint={p.origId && p.origId !== p.id.trim()
            ? "Renaming starts its cooldowns and counts afresh."
            : "Lowercase; names it in logs and in the x-detour-provider header."}
        >
          {(a) => (
            <input
              {...a}
              type="text"
              value={p.id}
              autoComplete="off"
              spellcheck={false}
              onInput={(e) => set("id", val(e))}
            />
          )}
        </Field>
        <Field store={store} id={id("type")} label="Type" errorKey={`${p.uid}.type`}>
          {(a) => (
            <select {...a} value={p.type} onChange={(e) => set("type", val(e))}>
              {types.map((t) => <option value={t} key={t}>{t}</option>)}
            </select>
          )}
        </Field>
        <Field
          store={store}
          id={id("baseUrl")}
          label="Base URL"
          errorKey={`${p.uid}.baseUrl`}
          hint="Without /v1/messages (it is stripped if pasted)."
        >
          {(a) => (
            <input
              {...a}
              type="url"
              inputMode="url"
              value={p.baseUrl}
              spellcheck={false}
              placeholder="https://api.example.com"
              onInput={(e) => set("baseUrl", val(e))}
            />
          )}
        </Field>
      </div>

      <div class="check">
        <input
          type="checkbox"
          id={id("passthrough")}
          checked={p.passthrough}
          onChange={(e) => set("passthrough", e.currentTarget.checked)}
        />
        <label for={id("passthrough")}>
          Use each client's own credential (passthrough)
          <span class="hint">
            The API key or Claude login of whoever calls Detour goes to this provider; no key is
            stored here.
          </span>
        </label>
      </div>
      <RowMessage store={store} errorKey={`${p.uid}.passthrough`} id={id("passthrough-msg")} />

      {!p.passthrough && <KeysEditor store={store} p={p} hint={preset?.keyHint} />}

      <Field
        store={store}
        id={id("authHeader")}
        label="Auth header"
        errorKey={`${p.uid}.authHeader`}
        hint="x-api-key sends the key as is; authorization sends “Bearer <key>”; any other header gets the raw key."
      >
        {(a) => (
          <>
            <input
              {...a}
              type="text"
              list={id("authHeaders")}
              value={p.authHeader}
              spellcheck={false}
              onInput={(e) => set("authHeader", val(e))}
            />
            <datalist id={id("authHeaders")}>
              {AUTH_HEADERS.map((h) => <option value={h} key={h} />)}
            </datalist>
          </>
        )}
      </Field>

      <RowsEditor
        store={store}
        p={p}
        section="modelMap"
        title="Model map"
        hint="Rows are tried top to bottom; the first match wins. * matches any run of characters (claude-*haiku*). With no rows, model names pass through unchanged; with rows but no match (and no *), this provider does not take that model."
        aLabel="Requested model (pattern)"
        bLabel="Send as model"
        aPlaceholder="claude-*sonnet*"
        bPlaceholder="upstream-model-name"
        addLabel="Add mapping"
        orderable
      />

      <RowsEditor
        store={store}
        p={p}
        section="headers"
        title="Extra headers"
        hint="Sent with every request to this provider."
        aLabel="Header name"
        bLabel="Value"
        aPlaceholder="x-header-name"
        bPlaceholder="value"
        addLabel="Add header"
      />

      <QuotaEditor store={store} p={p} />

      <details class="advanced">
        <summary>Timeout and cooldown</summary>
        <div class="grid two">
          <Field
            store={store}
            id={id("timeoutMs")}
            label="Timeout (ms)"
            errorKey={`${p.uid}.timeoutMs`}
            hint={`Connect and first byte. Blank: the global ${store.draft.value.settings.timeoutMs} ms.`}
          >
            {(a) => (
              <input
                {...a}
                type="number"
                inputMode="numeric"
                min={100}
                max={600000}
                value={p.timeoutMs}
                onInput={(e) => set("timeoutMs", val(e))}
              />
            )}
          </Field>
          <Field
            store={store}
            id={id("cooldownSeconds")}
            label="Cooldown (seconds)"
            errorKey={`${p.uid}.cooldownSeconds`}
            hint={`After a failure. Blank: the global ${store.draft.value.settings.cooldownSeconds} s.`}
          >
            {(a) => (
              <input
                {...a}
                type="number"
                inputMode="numeric"
                min={0}
                max={86400}
                value={p.cooldownSeconds}
                onInput={(e) => set("cooldownSeconds", val(e))}
              />
            )}
          </Field>
        </div>
      </details>

      <ExtraFields store={store} p={p} />
      <RowMessage store={store} errorKey={`${p.uid}._`} id={id("msg")} />
    </fieldset>
  );
}

/** The provider's token budget: set, change or clear it. */
function QuotaEditor({ store, p }: Props) {
  const q = p.quota;
  const id = (f: string) => `${p.uid}-quota-${f}`;
  const setQuota = (quota: QuotaDraft | null, field?: keyof QuotaDraft) =>
    editProvider(store, p.uid, (x) => {
      x.quota = quota;
    }, field ? [`quota.${field}`, "quota"] : ["quota", ...QUOTA_FIELDS.map((f) => `quota.${f}`)]);
  const set = <K extends keyof QuotaDraft>(field: K, value: QuotaDraft[K]) =>
    q && setQuota({ ...q, [field]: value }, field);
  const keyCount = p.keys.filter((k) => k.stored || k.value.trim()).length;
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
        : (
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
            <button type="button" class="btn small danger-text" onClick={() => setQuota(null)}>
              Remove quota
            </button>
          </>
        )}
      <RowMessage store={store} errorKey={`${p.uid}.quota`} id={id("msg")} />
    </div>
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

/** Stored keys stay masked and are kept unless replaced; new keys are typed in password fields. */
function KeysEditor({ store, p, hint }: Props & { hint?: string }) {
  const [shown, setShown] = useState<string[]>([]);
  const editKeys = (change: (keys: ProviderDraft["keys"]) => void, rowUid?: string) =>
    editProvider(
      store,
      p.uid,
      (x) => change(x.keys),
      rowUid ? [`keys.${rowUid}`, "keys"] : ["keys"],
    );
  return (
    <div class="group">
      <div class="group-head">
        <h4 id={`${p.uid}-keys-title`}>API keys</h4>
        <p class="hint">
          Several keys rotate; each cools down on its own. Stored keys are never sent back to this
          page: they stay as they are unless you replace or remove them.
        </p>
      </div>
      <ul class="rows" aria-labelledby={`${p.uid}-keys-title`}>
        {p.keys.map((k, i) => {
          const rowId = `${p.uid}-key-${k.uid}`;
          const error = fieldError(store, `${p.uid}.keys.${k.uid}`);
          return (
            <li class="row key-row" key={k.uid}>
              {k.stored
                ? (
                  <>
                    <span class="masked" id={rowId}>
                      <span class="visually-hidden">{`Key ${i + 1}: `}</span>
                      <code>{k.value}</code> <span class="hint">stored</span>
                    </span>
                    <button
                      type="button"
                      class="btn small"
                      onClick={() =>
                        editKeys((keys) => {
                          const row = keys.find((r) => r.uid === k.uid)!;
                          Object.assign(row, { stored: false, value: "", was: k.value });
                        }, k.uid)}
                    >
                      Replace<span class="visually-hidden">{` key ${i + 1}`}</span>
                    </button>
                  </>
                )
                : (
                  <>
                    <label class="visually-hidden" for={rowId}>Key {i + 1}</label>
                    <input
                      id={rowId}
                      class="grow"
                      type={dynType(shown.includes(k.uid) ? "text" : "password")}
                      autoComplete="off"
                      spellcheck={false}
                      placeholder={k.was ? `New key to replace ${k.was}` : hint ?? "Paste a key"}
                      value={k.value}
                      aria-invalid={error ? "true" : undefined}
                      aria-describedby={error ? `${rowId}-msg` : undefined}
                      onInput={(e) =>
                        editKeys((keys) => {
                          keys.find((r) => r.uid === k.uid)!.value = val(e);
                        }, k.uid)}
                    />
                    <button
                      type="button"
                      class="btn small"
                      aria-pressed={shown.includes(k.uid)}
                      onClick={() =>
                        setShown(
                          shown.includes(k.uid)
                            ? shown.filter((u) => u !== k.uid)
                            : [...shown, k.uid],
                        )}
                    >
                      {shown.includes(k.uid) ? "Hide" : "Show"}
                      <span class="visually-hidden">{` key ${i + 1}`}</span>
                    </button>
                    {k.was && (
                      <button
                        type="button"
                        class="btn small"
                        onClick={() =>
                          editKeys((keys) => {
                            const row = keys.find((r) => r.uid === k.uid)!;
                            Object.assign(row, { stored: true, value: row.was, was: undefined });
                          }, k.uid)}
                      >
                        Keep stored<span class="visually-hidden">{` key ${i + 1}`}</span>
                      </button>
                    )}
                  </>
                )}
              <button
                type="button"
                class="btn small danger-text"
                onClick={() =>
                  editKeys((keys) => keys.splice(keys.findIndex((r) => r.uid === k.uid), 1))}
              >
                Remove<span class="visually-hidden">{` key ${i + 1}`}</span>
              </button>
              <RowMessage store={store} errorKey={`${p.uid}.keys.${k.uid}`} id={`${rowId}-msg`} />
            </li>
          );
        })}
      </ul>
      <RowMessage store={store} errorKey={`${p.uid}.keys`} id={`${p.uid}-keys-msg`} />
      <button
        type="button"
        class="btn small"
        onClick={() =>
          editKeys((keys) => keys.push({ uid: newUid("k"), value: "", stored: false }))}
      >
        + Add key
      </button>
    </div>
  );
}

interface RowsProps extends Props {
  section: "modelMap" | "headers";
  title: string;
  hint: string;
  aLabel: string;
  bLabel: string;
  aPlaceholder: string;
  bPlaceholder: string;
  addLabel: string;
  orderable?: boolean;
}

/** A map edited as rows (model map, extra headers), each row with its own message. */
function RowsEditor(props: RowsProps) {
  const { store, p, section } = props;
  const rows = p[section];
  const editRows = (change: (rows: Row[]) => void, rowUid?: string) =>
    editProvider(
      store,
      p.uid,
      (x) => change(x[section]),
      rowUid ? [`${section}.${rowUid}`, section] : [section],
    );
  const titleId = `${p.uid}-${section}-title`;
  return (
    <div class="group">
      <div class="group-head">
        <h4 id={titleId}>{props.title}</h4>
        <p class="hint">{props.hint}</p>
      </div>
      {rows.length > 0 && (
        <ul class="rows" aria-labelledby={titleId}>
          {rows.map((r, i) => {
            const base = `${p.uid}-${section}-${r.uid}`;
            const errorKey = `${p.uid}.${section}.${r.uid}`;
            const error = fieldError(store, errorKey);
            const a11y = {
              "aria-invalid": error ? ("true" as const) : undefined,
              "aria-describedby": `${base}-msg`,
            };
            return (
              <li class="row map-row" key={r.uid}>
                <label class="visually-hidden" for={`${base}-a`}>{props.aLabel} {i + 1}</label>
                <input
                  id={`${base}-a`}
                  class="grow"
                  type="text"
                  spellcheck={false}
                  placeholder={props.aPlaceholder}
                  value={r.a}
                  {...a11y}
                  onInput={(e) =>
                    editRows((rs) => {
                      rs.find((x) => x.uid === r.uid)!.a = val(e);
                    }, r.uid)}
                />
                <span class="arrow" aria-hidden="true">{section === "modelMap" ? "→" : ":"}</span>
                <label class="visually-hidden" for={`${base}-b`}>{props.bLabel} {i + 1}</label>
                <input
                  id={`${base}-b`}
                  class="grow"
                  type="text"
                  spellcheck={false}
                  placeholder={props.bPlaceholder}
                  value={r.b}
                  {...a11y}
                  onInput={(e) =>
                    editRows((rs) => {
                      rs.find((x) => x.uid === r.uid)!.b = val(e);
                    }, r.uid)}
                />
                {props.orderable && (
                  <>
                    <button
                      type="button"
                      class="btn icon small"
                      disabled={i === 0}
                      aria-label={`Move row ${i + 1} up`}
                      onClick={() => editRows((rs) => rs.splice(i - 1, 0, ...rs.splice(i, 1)))}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      class="btn icon small"
                      disabled={i === rows.length - 1}
                      aria-label={`Move row ${i + 1} down`}
                      onClick={() => editRows((rs) => rs.splice(i + 1, 0, ...rs.splice(i, 1)))}
                    >
                      ↓
                    </button>
                  </>
                )}
                <button
                  type="button"
                  class="btn icon small danger-text"
                  aria-label={`Remove row ${i + 1}`}
                  onClick={() => editRows((rs) => rs.splice(i, 1))}
                >
                  ✕
                </button>
                <RowMessage store={store} errorKey={errorKey} id={`${base}-msg`} />
              </li>
            );
          })}
        </ul>
      )}
      <RowMessage store={store} errorKey={`${p.uid}.${section}`} id={`${titleId}-msg`} />
      <button
        type="button"
        class="btn small"
        onClick={() => editRows((rs) => rs.push({ uid: newUid("r"), a: "", b: "" }))}
      >
        + {props.addLabel}
      </button>
    </div>
  );
}

/**
 * Fields of other provider types (lib/config/fields), edited by their schema's kind: the ones the
 * provider has, plus any the user adds from the list.
 */
function ExtraFields({ store, p }: Props) {
  const [adding, setAdding] = useState("");
  const catalog = store.data.extraFields;
  const setExtra = (name: string, value: unknown) =>
    editProvider(store, p.uid, (x) => {
      if (value === undefined) delete x.extra[name];
      else x.extra[name] = value;
    }, [name]);
  const present = Object.keys(p.extra);
  const absent = catalog.filter((f) => !present.includes(f.name));
  if (present.length === 0 && absent.length === 0) return null;
  const Wrap = present.length === 0 ? MoreSettings : Group;
  return (
    <Wrap>
      <div class="group-head">
        <h4>{p.type} settings</h4>
        <p class="hint">
          Settings of this provider type. Secrets among them are never shown again once saved.
        </p>
      </div>
      {present.length > 0 && (
        <div class="grid two">
          {present.map((name) => (
            <ExtraField
              key={name}
              store={store}
              p={p}
              name={name}
              value={p.extra[name]}
              set={(v) => setExtra(name, v)}
            />
          ))}
        </div>
      )}
      {absent.length > 0 && (
        <div class="row add-field">
          <label class="visually-hidden" for={`${p.uid}-add-field`}>Add a setting</label>
          <select
            id={`${p.uid}-add-field`}
            value={adding}
            onChange={(e) => setAdding(val(e))}
          >
            <option value="">Add a setting…</option>
            {absent.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
          </select>
          <button
            type="button"
            class="btn small"
            disabled={!adding}
            onClick={() => {
              const f = catalog.find((x) => x.name === adding);
              if (!f) return;
              setExtra(f.name, emptyValue(f.kind, f.options));
              setAdding("");
            }}
          >
            Add
          </button>
        </div>
      )}
    </Wrap>
  );
}

function Group({ children }: { children: ComponentChildren }) {
  return <div class="group">{children}</div>;
}

/** With nothing set yet, the type's settings stay folded away. */
function MoreSettings({ children }: { children: ComponentChildren }) {
  return (
    <details class="advanced">
      <summary>More settings</summary>
      {children}
    </details>
  );
}

function ExtraField(
  { store, p, name, value, set }: Props & {
    name: string;
    value: unknown;
    set: (v: unknown) => void;
  },
) {
  const fid = `${p.uid}-x-${name}`;
  const spec = store.data.extraFields.find((f) => f.name === name);
  const secret = spec?.secret ?? store.data.secretFields.includes(name);
  const errorKey = `${p.uid}.${name}`;
  const remove = (
    <button
      type="button"
      class="btn small danger-text"
      aria-label={`Remove setting ${name}`}
      onClick={() => set(undefined)}
    >
      Remove
    </button>
  );
  if (typeof value === "boolean" || spec?.kind === "boolean") {
    return (
      <div class="check">
        <input
          type="checkbox"
          id={fid}
          checked={value === true}
          onChange={(e) => set(e.currentTarget.checked)}
        />
        <label for={fid}>{name}</label>
        {remove}
        <RowMessage store={store} errorKey={errorKey} id={`${fid}-msg`} />
      </div>
    );
  }
  if (spec?.kind === "enum" && spec.options) {
    const options = spec.options.includes(String(value))
      ? spec.options
      : [String(value), ...spec.options];
    return (
      <Field store={store} id={fid} label={name} errorKey={errorKey}>
        {(a) => (
          <div class="row">
            <select {...a} class="grow" value={String(value)} onChange={(e) => set(val(e))}>
              {options.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
            {remove}
          </div>
        )}
      </Field>
    );
  }
  if (typeof value === "number" || typeof value === "string" || value === null) {
    const masked = secret && typeof value === "string" && value.includes("…");
    const numeric = spec?.kind === "number" || typeof value === "number";
    return (
      <Field
        store={store}
        id={fid}
        label={name}
        errorKey={errorKey}
        hint={secret
          ? masked
            ? `Stored (${value}); kept unless you type a new value.`
            : "A secret: never shown again once saved."
          : undefined}
      >
        {(a) => (
          <div class="row">
            <input
              {...a}
              class="grow"
              type={dynType(secret ? "password" : numeric ? "number" : "text")}
              autoComplete="off"
              spellcheck={false}
              value={value ?? ""}
              onInput={(e) => {
                const v = val(e);
                set(numeric && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v);
              }}
            />
            {remove}
          </div>
        )}
      </Field>
    );
  }
  return <JsonField store={store} p={p} name={name} value={value} />;
}

function JsonField({ store, p, name, value }: Props & { name: string; value: unknown }) {
  const [text, setText] = useState(JSON.stringify(value, null, 2));
  const [bad, setBad] = useState<string | null>(null);
  const fid = `${p.uid}-x-${name}`;
  return (
    <Field
      store={store}
      id={fid}
      label={`${name} (JSON)`}
      errorKey={`${p.uid}.${name}`}
      hint={bad ?? undefined}
    >
      {(a) => (
        <textarea
          {...a}
          rows={4}
          spellcheck={false}
          value={text}
          onInput={(e) => {
            setText(val(e));
            try {
              const parsed = JSON.parse(val(e));
              setBad(null);
              editProvider(store, p.uid, (x) => {
                x.extra[name] = parsed;
              }, [name]);
            } catch {
              setBad("Not valid JSON yet: the last valid value is kept.");
            }
          }}
        />
      )}
    </Field>
  );
}
