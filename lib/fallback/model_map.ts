/**
 * Model maps: which models a provider takes and what it calls them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileModelMap } from "./model_map.ts";
 *
 * const map = compileModelMap({ "claude-*haiku*": "glm-4.5-air", "*": "glm-4.6" });
 * assert.equal(map("claude-haiku-4-5"), "glm-4.5-air"); // the first match wins
 * assert.equal(map("claude-opus-4-6"), "glm-4.6");
 * // Without a match the provider does not take the model.
 * assert.equal(compileModelMap({ "claude-*haiku*": "h" })("claude-opus-4-6"), null);
 * ```
 */

/** Maps a requested model to the upstream name, or `null` when the provider does not take it. */
export type ModelMapper = (model: string) => string | null;

/** Turns a `*` glob into an anchored regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

/** Compiles a model map once per config load; an empty map passes every model through. */
export function compileModelMap(map: Record<string, string>): ModelMapper {
  const entries = Object.entries(map);
  if (entries.length === 0) return (model) => model;
  const rules = entries.map(([pattern, target]) => ({
    test: pattern.includes("*") ? globToRegExp(pattern) : null,
    pattern,
    target,
  }));
  return (model) => {
    for (const rule of rules) {
      if (rule.test ? rule.test.test(model) : rule.pattern === model) return rule.target;
    }
    return null;
  };
}

/** The exact (non-glob) names a model map answers to: what `/v1/models` can list. */
export function modelMapNames(map: Record<string, string>): string[] {
  return Object.keys(map).filter((pattern) => !pattern.includes("*"));
}
