/**
 * A config's validation problems as people read them, and the lenient reading of a stored one.
 *
 * The schema's objects are strict, so a mistyped field (`timeoutMS`, `fallbackon`) is refused
 * instead of silently dropped; each unknown field becomes its own issue at its own path, with
 * "did you mean `timeoutMs`?" when a known field is close.
 *
 * @example
 * ```ts
 * import { ConfigSchema } from "./schema.ts";
 * import { configIssues } from "./issues.ts";
 * const parsed = ConfigSchema.safeParse({ providers: [], timeoutMS: 5000 });
 * if (!parsed.success) console.log(configIssues(parsed.error));
 * // [{ path: "timeoutMS", message: "unknown field `timeoutMS`: did you mean `timeoutMs`?" }]
 * ```
 */
import type * as z from "zod";
import { closestName } from "./did_you_mean.ts";
import { type Config, ConfigSchema } from "./schema.ts";
import { isUnsendable } from "./zod_rules.ts";

/** One problem: where (`providers.0.timeoutMs`), and what is wrong. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The parts of a zod v4 definition the path walk reads. */
interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  element?: { _zod: { def: Def } };
  innerType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
  valueType?: { _zod: { def: Def } };
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "readonly", "catch"]);

function unwrap(def: Def): Def {
  for (let i = 0; i < 20; i++) {
    if (WRAPPERS.has(def.type) && def.innerType) def = def.innerType._zod.def;
    else if (def.type === "pipe" && def.in) def = def.in._zod.def;
    else break;
  }
  return def;
}

/** The field names the object at `path` of `root` may hold; empty where no object is known. */
export function knownFieldsAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let def: Def | undefined = unwrap(root._zod.def as unknown as Def);
  for (const seg of path) {
    if (!def) return [];
    const next: { _zod: { def: Def } } | undefined = def.type === "object"
      ? def.shape?.[String(seg)]
      : def.type === "array"
      ? def.element
      : def.type === "record"
      ? def.valueType
      : undefined;
    def = next ? unwrap(next._zod.def) : undefined;
  }
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** The message for one unknown field: never its value, only its name and a likely meaning. */
export function unknownFieldMessage(name: string, known: readonly string[]): string {
  const close = closestName(name, known);
  return close
    ? `unknown field \`${name}\`: did you mean \`${close}\`?`
    : `unknown field \`${name}\``;
}

const dotted = (path: readonly PropertyKey[]) => path.map(String).join(".");

/** Every issue of a failed config parse; one per unknown field, at the field's own path. */
export function configIssues(error: z.ZodError, root: z.ZodType = ConfigSchema): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== "unrecognized_keys") {
      return [{ path: dotted(issue.path), message: issue.message }];
    }
    const known = knownFieldsAt(root, issue.path);
    return issue.keys.map((key) => ({
      path: dotted([...issue.path, key]),
      message: unknownFieldMessage(key, known),
    }));
  });
}

/** A stored config, and what was left out to read it (as dotted paths). */
export interface LenientConfig {
  config: Config;
  ignored: string[];
}

/** The paths a lenient read may leave out: unknown fields, and values that cannot be sent. */
function removable(issues: readonly z.core.$ZodIssue[]): PropertyKey[][] | null {
  const paths: PropertyKey[][] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      paths.push(...issue.keys.map((key) => [...issue.path, key]));
    } else if (isUnsendable(issue)) paths.push(issue.path);
    else return null;
  }
  return paths;
}

/** Deletes the value at `path`; array items are spliced out (call in descending index order). */
function removeAt(root: unknown, path: readonly PropertyKey[]): void {
  let parent: unknown = root;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown>)?.[seg];
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
  else if (typeof parent === "object" && parent !== null) {
    delete (parent as Record<PropertyKey, unknown>)[last];
  }
}

/**
 * Reads a config stored in KV. One written by another Detour version may hold fields this one
 * does not know, and one saved before the check may hold a key or header value with a line
 * break (it could never be sent): both are left out and named, for a warning, rather than
 * refusing the whole config. KV is not changed. Any other problem is an error, as before.
 */
export function parseStoredConfig(value: unknown): LenientConfig | { error: string } {
  const first = ConfigSchema.safeParse(value);
  if (first.success) return { config: first.data, ignored: [] };
  const paths = removable(first.error.issues);
  const firstIssue = () => {
    const issue = configIssues(first.error)[0];
    return { error: issue ? `${issue.path || "config"}: ${issue.message}` : "invalid" };
  };
  if (!paths) return firstIssue();
  const copy = structuredClone(value);
  // Later array items first, so earlier indices still point at the right item.
  const order = (p: PropertyKey[]) => (typeof p.at(-1) === "number" ? -(p.at(-1) as number) : 0);
  for (const path of [...paths].sort((a, b) => order(a) - order(b))) removeAt(copy, path);
  const second = ConfigSchema.safeParse(copy);
  if (!second.success) return firstIssue();
  return { config: second.data, ignored: paths.map(dotted) };
}
