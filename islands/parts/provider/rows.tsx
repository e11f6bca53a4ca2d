/** The provider editor's map sections edited as rows: the model map and the extra headers. */
import { newUid, type Row } from "../draft.ts";
import { editProvider, fieldError } from "../store.ts";
import { RowMessage, val } from "../ui.tsx";
import type { Props } from "./props.ts";

/** What marks a masked stored value (MASK_CHAR in lib/config/mask.ts). */
const MASK = "…";

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
export function RowsEditor(props: RowsProps) {
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
          {rows.map((r, i) => (
            <MapRow key={r.uid} {...props} r={r} i={i} count={rows.length} editRows={editRows} />
          ))}
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

/** One row of a map: its two fields, move buttons where order matters, remove, its message. */
function MapRow(
  { r, i, count, editRows, ...props }: RowsProps & {
    r: Row;
    i: number;
    count: number;
    editRows: (change: (rows: Row[]) => void, rowUid?: string) => void;
  },
) {
  const { store, p, section } = props;
  const base = `${p.uid}-${section}-${r.uid}`;
  const errorKey = `${p.uid}.${section}.${r.uid}`;
  const error = fieldError(store, errorKey);
  const a11y = {
    "aria-invalid": error ? ("true" as const) : undefined,
    "aria-describedby": `${base}-msg`,
  };
  return (
    <li class="row map-row">
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
      {section === "headers"
        ? (
          <HeaderValue
            r={r}
            n={i + 1}
            base={base}
            a11y={a11y}
            edit={(change) => editRows((rs) => change(rs.find((x) => x.uid === r.uid)!), r.uid)}
          />
        )
        : (
          <>
            <label class="visually-hidden" for={`${base}-b`}>
              {props.bLabel} {i + 1}
            </label>
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
          </>
        )}
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
            disabled={i === count - 1}
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
}

/**
 * A header value: a stored one arrives masked (it may be a credential) and is shown as such, kept
 * unless replaced; a new or replacing value is typed in full.
 */
function HeaderValue(
  { r, n, base, a11y, edit }: {
    r: Row;
    n: number;
    base: string;
    a11y: { "aria-invalid": "true" | undefined; "aria-describedby": string };
    edit: (change: (row: Row) => void) => void;
  },
) {
  if (r.b.includes(MASK) && r.was === undefined) {
    return (
      <>
        <span class="masked grow" id={`${base}-b`}>
          <span class="visually-hidden">{`Value ${n}: `}</span>
          <code>{r.b}</code> <span class="hint">stored</span>
        </span>
        <button
          type="button"
          class="btn small"
          onClick={() => edit((row) => Object.assign(row, { b: "", was: r.b }))}
        >
          Replace<span class="visually-hidden">{` value ${n}`}</span>
        </button>
      </>
    );
  }
  return (
    <>
      <label class="visually-hidden" for={`${base}-b`}>Value {n}</label>
      <input
        id={`${base}-b`}
        class="grow"
        type="text"
        autoComplete="off"
        spellcheck={false}
        placeholder={r.was ? `New value to replace ${r.was}` : "value"}
        value={r.b}
        {...a11y}
        onInput={(e) =>
          edit((row) => {
            row.b = val(e);
          })}
      />
      {r.was && (
        <button
          type="button"
          class="btn small"
          onClick={() => edit((row) => Object.assign(row, { b: row.was, was: undefined }))}
        >
          Keep stored<span class="visually-hidden">{` value ${n}`}</span>
        </button>
      )}
    </>
  );
}
