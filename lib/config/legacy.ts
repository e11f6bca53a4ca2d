/**
 * Converts the provider list that claude-code-fallback users already have, so they can move
 * over by pasting it: `[{ name, baseUrl, apiKey, authHeader, headers, modelMapping, disabled }]`
 * or `{ providers: [...], cooldownDuration, anthropicPrimaryDisabled }`.
 */
import * as z from "zod";
import type { ConfigInput, ProviderInput } from "./schema.ts";

const LegacyProviderSchema = z.object({
  name: z.string().min(1),
  baseUrl: z.string(),
  apiKey: z.string().optional(),
  authHeader: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  modelMapping: z.record(z.string(), z.string()).optional(),
  format: z.enum(["anthropic", "openai"]).optional(),
  disabled: z.boolean().optional(),
});

const LegacyConfigSchema = z.object({
  providers: z.array(LegacyProviderSchema),
  cooldownDuration: z.number().optional(),
  anthropicPrimaryDisabled: z.boolean().optional(),
});

const looksLegacy = (p: unknown) =>
  typeof p === "object" && p !== null && !("type" in p) && !("id" in p) &&
  ("apiKey" in p || "modelMapping" in p || "name" in p);

/** True when `input` is in the claude-code-fallback shape rather than Detour's. */
export function isLegacyConfig(input: unknown): boolean {
  if (Array.isArray(input)) return input.length > 0 && input.every(looksLegacy);
  if (typeof input !== "object" || input === null) return false;
  const providers = (input as { providers?: unknown }).providers;
  return Array.isArray(providers) && providers.length > 0 && providers.every(looksLegacy);
}

function slugify(name: string, taken: Set<string>): string {
  const base = name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 50) || "provider";
  let id = base, n = 2;
  while (taken.has(id)) id = `${base}-${n++}`;
  taken.add(id);
  return id;
}

/** Converts a legacy config; the result still goes through `ConfigSchema` like any edit. */
export function convertLegacyConfig(input: unknown): ConfigInput {
  const legacy = LegacyConfigSchema.parse(Array.isArray(input) ? { providers: input } : input);
  // claude-code-fallback always tried Anthropic with the client's own key first.
  const taken = new Set<string>(["anthropic"]);
  const providers: ProviderInput[] = legacy.anthropicPrimaryDisabled ? [] : [{
    id: "anthropic",
    name: "Anthropic",
    type: "anthropic",
    baseUrl: "https://api.anthropic.com",
    passthrough: true,
  }];
  for (const p of legacy.providers) {
    providers.push({
      id: slugify(p.name, taken),
      name: p.name,
      // An OpenAI-format provider needs the openai provider type; the schema says so if absent.
      type: (p.format ?? "anthropic") as ProviderInput["type"],
      enabled: !p.disabled,
      baseUrl: p.baseUrl,
      keys: p.apiKey ? [p.apiKey] : [],
      authHeader: p.authHeader ?? "x-api-key",
      headers: p.headers ?? {},
      modelMap: p.modelMapping ?? {},
    });
  }
  const out: ConfigInput = { providers };
  if (legacy.cooldownDuration !== undefined) out.cooldownSeconds = legacy.cooldownDuration;
  return out;
}
