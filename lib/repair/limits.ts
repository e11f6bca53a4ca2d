/**
 * Output-token limits of models that Claude Code's `max_tokens: 64000/32000` would overflow.
 * A provider's `maxOutputTokens` overrides the table; a model not listed is not clamped.
 * Names match with `*` globs against the upstream model name, with or without a vendor prefix
 * (`openai/gpt-4o` matches `gpt-4o*`).
 */
import { globToRegExp } from "../fallback/model_map.ts";

const TABLE: [pattern: string, limit: number][] = [
  ["claude-3-haiku*", 4096],
  ["claude-3-opus*", 4096],
  ["claude-3-sonnet*", 4096],
  ["claude-3-5-*", 8192],
  ["deepseek-chat", 8192],
  ["deepseek-reasoner", 65536],
  ["gpt-3.5-turbo*", 4096],
  ["gpt-4-turbo*", 4096],
  ["gpt-4o*", 16384],
  ["gpt-4.1*", 32768],
  ["gpt-5*", 128000],
  ["o1*", 100000],
  ["o3*", 100000],
  ["o4-mini*", 100000],
  ["gpt-oss-*", 65536],
  ["llama-3.3-70b*", 32768],
  ["llama-3.1-8b*", 131072],
  ["gemini-1.5-*", 8192],
  ["gemini-2.0-*", 8192],
  ["gemini-2.5-*", 65536],
];
const COMPILED = TABLE.map(([p, limit]) => ({ re: globToRegExp(p), limit }));

/** The built-in output limit of an upstream model, or undefined when unknown. */
export function knownOutputLimit(model: string): number | undefined {
  const bare = model.slice(model.lastIndexOf("/") + 1).replace(/^@cf\//, "");
  for (const { re, limit } of COMPILED) {
    if (re.test(model) || re.test(bare)) return limit;
  }
  return undefined;
}

/** The limit to clamp to: the provider's override, else the table. */
export function outputLimit(override: number | undefined, model: string): number | undefined {
  return override ?? knownOutputLimit(model);
}
