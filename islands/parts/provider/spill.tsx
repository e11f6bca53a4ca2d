/**
 * The provider editor's spill-over setting (`spillAt`, a share 0.01–1 kept in the draft's
 * `extra`, as the server takes it): typed as a percentage. Past it, a credential whose 5-hour or
 * weekly window (or an API key's per-minute one) reports that much used is skipped until the
 * window resets (lib/fallback/plan.ts).
 */
import { editProvider } from "../store.ts";
import { Field, val } from "../ui.tsx";
import type { Props } from "./props.ts";

/** The percentage an input shows for a stored share ("95" for 0.95; typed text as typed). */
export function spillPercent(v: unknown): string {
  if (typeof v === "number") return String(Math.round(v * 10_000) / 100);
  return typeof v === "string" ? v : "";
}

/** The share to store for what was typed: blank unsets; anything not a number stays as typed. */
export function spillShare(typed: string): number | string | undefined {
  const t = typed.trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? Math.round(n * 100) / 10_000 : t;
}

/** Spill over before the wall: the share of a rate-limit window past which a credential waits. */
export function SpillEditor({ store, p }: Props) {
  const id = `${p.uid}-spillAt`;
  const value = p.extra.spillAt;
  // Only Anthropic's API reports the windows; another type shows it only if it already has one.
  if (p.type !== "anthropic" && value === undefined) return null;
  return (
    <div class="group spill-editor" role="group" aria-labelledby={`${id}-title`}>
      <div class="group-head">
        <h4 id={`${id}-title`}>Spill over before the limit</h4>
        <p class="hint">
          Anthropic's answers report how much of a Claude subscription's 5-hour and weekly windows
          (or an API key's per-minute limits) is used. Past this share a credential is skipped, and
          the next provider serves, until that window resets.
        </p>
      </div>
      <Field
        store={store}
        id={id}
        label="Skip past (% of a window)"
        errorKey={`${p.uid}.spillAt`}
        hint="e.g. 95; blank: never"
      >
        {(a) => (
          <input
            {...a}
            type="number"
            inputMode="decimal"
            min={1}
            max={100}
            step="any"
            value={spillPercent(value)}
            onInput={(e) =>
              editProvider(store, p.uid, (x) => {
                const share = spillShare(val(e));
                if (share === undefined) delete x.extra.spillAt;
                else x.extra.spillAt = share;
              }, ["spillAt"])}
          />
        )}
      </Field>
    </div>
  );
}
