/**
 * The capability profile's choices, zod-free so the admin page (islands/parts/provider/
 * profile.tsx) offers exactly what the schema (lib/config/fields/profile.ts) accepts.
 */

/** Built-in profiles (lib/providers/profile_presets.ts says where each comes from). */
export const PROFILE_BASES = [
  "anthropic",
  "strict",
  "zai",
  "deepseek",
  "kimi",
  "openrouter",
  "bedrock",
  "vertex",
] as const;

/** The profile's rules with a fixed set of choices, each with what it governs. */
export const PROFILE_CHOICES = {
  unknownFields: ["keep", "drop"],
  adaptiveThinking: ["keep", "enabled", "drop"],
  outputConfig: ["keep", "effort", "drop"],
  systemMessages: ["keep", "user", "drop"],
  serverTools: ["keep", "drop"],
  cacheControl: ["keep", "noScope", "basic", "drop"],
  toolExtras: ["keep", "drop"],
} as const;

/** The profile's list rules (top-level field names, block types, beta names). */
export const PROFILE_LISTS = ["dropFields", "keepFields", "blockTypes", "betas"] as const;

/** One line per rule, for the page's labels. */
export const PROFILE_LABELS: Record<string, string> = {
  unknownFields: "Fields outside the core Messages API",
  adaptiveThinking: 'Adaptive thinking ({type: "adaptive"})',
  outputConfig: "output_config",
  systemMessages: 'role: "system" messages',
  serverTools: "Server tools (web_search, …)",
  cacheControl: "cache_control scope/ttl",
  toolExtras: "Tool extras (defer_loading, strict, …)",
  dropFields: "Drop these fields",
  keepFields: "Always send these fields",
  blockTypes: "Content block types it takes",
  betas: "anthropic-beta values it takes",
};
