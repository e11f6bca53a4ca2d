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
import type { z } from "zod";
import { closestName } from "./did_you_mean.ts";
import { type Config, ConfigSchema } from "./schema.ts";

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

/** A stored config, and the unknown fields left out to read it (as dotted paths). */
export interface LenientConfig {
  config: Config;
  ignored: string[];
}

/**
 * Reads a config stored in KV. One written by another Detour version may hold fields this one
 * does not know: they are left out (and named, for a warning) rather than refusing the whole
 * config. Any other problem is an error, as before.
 */
export function parseStoredConfig(value: unknown): LenientConfig | { error: string } {
  const first = ConfigSchema.safeParse(value);
  if (first.success) return { config: first.data, ignored: [] };
  const unknown = first.error.issues.filter((i) => i.code === "unrecognized_keys");
  if (unknown.length === 0 || unknown.length !== first.error.issues.length) {
    const issue = configIssues(first.error)[0];
    return { error: issue ? `${issue.path || "config"}: ${issue.message}` : "invalid" };
  }
  const copy = structuredClone(value);
  const ignored: string[] = [];
  for (const issue of unknown) {
    let obj: unknown = copy;
    for (const seg of issue.path) obj = (obj as Record<PropertyKey, unknown>)?.[seg as string];
    if (typeof obj !== "object" || obj === null) continue;
    for (const key of issue.keys) {
      delete (obj as Record<string, unknown>)[key];
      ignored.push(dotted([...issue.path, key]));
    }
  }
  const second = ConfigSchema.safeParse(copy);
  if (!second.success) return { error: configIssues(second.error)[0]?.message ?? "invalid" };
  return { config: second.data, ignored };
}
