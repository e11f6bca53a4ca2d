/**
 * Provider presets: the admin page's "add provider" starting points. A preset only fills in a
 * provider; the result is validated by ProviderSchema like any other edit.
 */
import { z } from "zod";
import { PROVIDER_TYPES } from "./schema.ts";

export const PresetSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** One sentence shown under the preset's name. */
  description: z.string(),
  /** Values copied into the new provider (id and keys are the user's). */
  provider: z.object({
    type: z.enum(PROVIDER_TYPES),
    name: z.string(),
    baseUrl: z.string(),
    passthrough: z.boolean().default(false),
    authHeader: z.string().default("x-api-key"),
    modelMap: z.record(z.string(), z.string()).default({}),
  }).passthrough(),
  /** Which fields the form shows for this preset. */
  needsKeys: z.boolean().default(true),
  /** Placeholder for the key field. */
  keyHint: z.string().optional(),
});
export type Preset = z.infer<typeof PresetSchema>;

/** Anthropic-compatible presets; later provider types append theirs. */
export const PRESETS: Preset[] = PresetSchema.array().parse([
  {
    id: "anthropic-passthrough",
    label: "Anthropic (your own key)",
    description: "Forwards each client's own API key or Claude login to api.anthropic.com.",
    provider: {
      type: "anthropic",
      name: "Anthropic",
      baseUrl: "https://api.anthropic.com",
      passthrough: true,
    },
    needsKeys: false,
  },
  {
    id: "anthropic-key",
    label: "Anthropic (stored API key)",
    description: "A team API key kept in Detour; several keys rotate.",
    provider: {
      type: "anthropic",
      name: "Anthropic (team key)",
      baseUrl: "https://api.anthropic.com",
    },
    keyHint: "sk-ant-api03-…",
  },
  {
    id: "claude-subscription",
    label: "Claude subscription (OAuth token)",
    description:
      "A long-lived token from `claude setup-token`, sent as Bearer with the OAuth beta.",
    provider: {
      type: "anthropic",
      name: "Claude subscription",
      baseUrl: "https://api.anthropic.com",
      authHeader: "authorization",
    },
    keyHint: "sk-ant-oat01-…",
  },
  {
    id: "zai",
    label: "Z.AI (GLM)",
    description: "Z.AI's Anthropic-compatible endpoint for GLM models.",
    provider: {
      type: "anthropic",
      name: "Z.AI",
      baseUrl: "https://api.z.ai/api/anthropic",
      authHeader: "authorization",
      modelMap: { "claude-*haiku*": "glm-4.5-air", "*": "glm-4.6" },
    },
  },
  {
    id: "openrouter-anthropic",
    label: "OpenRouter (Anthropic API)",
    description: "OpenRouter's Anthropic-compatible Messages endpoint.",
    provider: {
      type: "anthropic",
      name: "OpenRouter",
      baseUrl: "https://openrouter.ai/api",
      authHeader: "authorization",
      modelMap: {
        "claude-*haiku*": "anthropic/claude-haiku-4.5",
        "claude-*opus*": "anthropic/claude-opus-4.1",
        "*": "anthropic/claude-sonnet-4.5",
      },
    },
    keyHint: "sk-or-v1-…",
  },
  {
    id: "kimi",
    label: "Kimi (Moonshot)",
    description: "Moonshot's Anthropic-compatible endpoint for Kimi models.",
    provider: {
      type: "anthropic",
      name: "Kimi",
      baseUrl: "https://api.moonshot.ai/anthropic",
      authHeader: "authorization",
      modelMap: { "*": "kimi-k2.5" },
    },
  },
  {
    id: "deepseek",
    label: "DeepSeek",
    description: "DeepSeek's Anthropic-compatible endpoint.",
    provider: {
      type: "anthropic",
      name: "DeepSeek",
      baseUrl: "https://api.deepseek.com/anthropic",
      modelMap: { "*": "deepseek-chat" },
    },
  },
  {
    id: "custom-anthropic",
    label: "Custom Anthropic-compatible",
    description: "Any endpoint that speaks the Anthropic Messages API.",
    provider: { type: "anthropic", name: "Custom", baseUrl: "https://" },
  },
]);
