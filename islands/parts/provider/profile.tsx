/**
 * The provider editor's capability profile section: which built-in profile the provider starts
 * from and the rules it overrides (lib/config/fields/profile.ts), kept in the draft's `extra`.
 */
import {
  PROFILE_BASES,
  PROFILE_CHOICES,
  PROFILE_LABELS,
  PROFILE_LISTS,
} from "../../../lib/config/profile_rules.ts";
import type { Provider } from "../../../lib/config/schema.ts";
import { baseProfileName } from "../../../lib/providers/profile_presets.ts";
import { editProvider } from "../store.ts";
import { Field, RowMessage, val } from "../ui.tsx";
import type { Props } from "./props.ts";

type ProfileDraft = Record<string, unknown>;

/** The profile being edited (an empty one when the provider has none). */
function profileOf(extra: Record<string, unknown>): ProfileDraft {
  const value = extra.profile;
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as ProfileDraft
    : {};
}

/** The built-in profile that applies when none is chosen (by the base URL's host). */
function defaultBase(p: Props["p"]): string {
  const name = baseProfileName({ type: p.type, baseUrl: p.baseUrl } as Provider);
  return name ?? "anthropic";
}

/** Base profile, rule overrides and lists; left empty, a rule is the base's. */
export function ProfileEditor({ store, p }: Props) {
  const profile = profileOf(p.extra);
  const id = (f: string) => `${p.uid}-profile-${f}`;
  const setRule = (rule: string, value: unknown) =>
    editProvider(store, p.uid, (x) => {
      const next = { ...profileOf(x.extra) };
      if (value === undefined) delete next[rule];
      else next[rule] = value;
      if (Object.keys(next).length === 0) delete x.extra.profile;
      else x.extra.profile = next;
    }, ["profile", `profile.${rule}`]);
  const base = typeof profile.base === "string" ? profile.base : "";
  return (
    <details class="advanced profile-editor" open={Object.keys(profile).length > 0}>
      <summary>Capability profile</summary>
      <div class="group" role="group" aria-labelledby={id("title")}>
        <div class="group-head">
          <h4 id={id("title")}>Capability profile</h4>
          <p class="hint">
            What this upstream accepts of Claude Code's requests; the rest is rewritten or dropped
            before sending. Empty rules follow the built-in profile. The Anthropic API's profile
            sends everything untouched.
          </p>
        </div>
        <div class="grid two">
          <Field
            store={store}
            id={id("base")}
            label="Built-in profile"
            errorKey={`${p.uid}.profile.base`}
          >
            {(a) => (
              <select
                {...a}
                value={base}
                onChange={(e) => setRule("base", val(e) || undefined)}
              >
                <option value="">Default for this URL ({defaultBase(p)})</option>
                {PROFILE_BASES.map((b) => <option key={b} value={b}>{b}</option>)}
              </select>
            )}
          </Field>
          {Object.entries(PROFILE_CHOICES).map(([rule, options]) => (
            <Field
              key={rule}
              store={store}
              id={id(rule)}
              label={PROFILE_LABELS[rule]}
              errorKey={`${p.uid}.profile.${rule}`}
            >
              {(a) => (
                <select
                  {...a}
                  value={typeof profile[rule] === "string" ? String(profile[rule]) : ""}
                  onChange={(e) => setRule(rule, val(e) || undefined)}
                >
                  <option value="">As the built-in profile</option>
                  {options.map((o) => <option key={o} value={o}>{o}</option>)}
                </select>
              )}
            </Field>
          ))}
          {PROFILE_LISTS.map((rule) => (
            <ListRule key={rule} {...{ store, p, rule }} value={profile[rule]} set={setRule} />
          ))}
        </div>
        <RowMessage store={store} errorKey={`${p.uid}.profile`} id={id("msg")} />
      </div>
    </details>
  );
}

/** A list rule as comma-separated names; empty text removes the rule. */
function ListRule(
  { store, p, rule, value, set }: Props & {
    rule: string;
    value: unknown;
    set: (rule: string, value: unknown) => void;
  },
) {
  const text = Array.isArray(value) ? value.join(", ") : "";
  const fid = `${p.uid}-profile-${rule}`;
  return (
    <Field
      store={store}
      id={fid}
      label={PROFILE_LABELS[rule]}
      errorKey={`${p.uid}.profile.${rule}`}
      hint={rule === "betas"
        ? "Comma-separated; * for all; left empty, the built-in profile's."
        : undefined}
    >
      {(a) => (
        <input
          {...a}
          type="text"
          spellcheck={false}
          value={text}
          placeholder="comma-separated"
          onChange={(e) => {
            const items = val(e).split(",").map((s) => s.trim()).filter(Boolean);
            set(rule, items.length ? items : undefined);
          }}
        />
      )}
    </Field>
  );
}
