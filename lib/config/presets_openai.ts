/**
 * OpenAI-compatible presets (`type: "openai"`): each names its base URL (with its version path),
 * auth header, reasoning option and the request fields the target is known to reject, with the
 * vendor's documentation cited. docs/translation.md explains each field. Validated with the
 * others in presets.ts.
 */
import type { PresetInput } from "./preset_schema.ts";

/** The OpenAI-compatible presets, as written (presets.ts parses them). */
export const OPENAI_PRESETS: PresetInput[] = [
  {
    id: "openrouter-chat",
    label: "OpenRouter (chat API)",
    description: "OpenRouter's OpenAI-compatible chat API: any model it lists, translated.",
    provider: {
      type: "openai",
      name: "OpenRouter (chat)",
      baseUrl: "https://openrouter.ai/api/v1",
      authHeader: "authorization",
      headers: { "X-Title": "Detour" },
      reasoning: "openrouter",
      keepCacheControl: true,
      dropFields: [],
      modelMap: {
        "claude-*haiku*": "anthropic/claude-haiku-4.5",
        "claude-*opus*": "anthropic/claude-opus-4.1",
        "*": "anthropic/claude-sonnet-4.5",
      },
    },
    keyHint: "sk-or-v1-…",
    fields: ["reasoning", "dropFields", "maxOutputTokens"],
  },
  {
    id: "openai",
    label: "OpenAI",
    description: "OpenAI's Chat Completions API (GPT models), with reasoning effort.",
    provider: {
      type: "openai",
      name: "OpenAI",
      baseUrl: "https://api.openai.com/v1",
      authHeader: "authorization",
      reasoning: "reasoning_effort",
      maxTokensField: "max_completion_tokens",
      dropFields: [],
      modelMap: { "claude-*haiku*": "gpt-5-mini", "*": "gpt-5" },
    },
    keyHint: "sk-proj-…",
    fields: ["reasoning", "maxTokensField", "dropFields", "maxOutputTokens"],
  },
  {
    id: "groq",
    label: "Groq",
    description: "Groq's OpenAI-compatible endpoint (fast open models).",
    provider: {
      type: "openai",
      name: "Groq",
      baseUrl: "https://api.groq.com/openai/v1",
      authHeader: "authorization",
      reasoning: "reasoning_effort",
      textOnly: true,
      dropFields: ["user"],
      modelMap: { "*": "openai/gpt-oss-120b" },
    },
    keyHint: "gsk_…",
    fields: ["reasoning", "dropFields", "maxOutputTokens", "textOnly"],
  },
  {
    id: "deepseek-openai",
    label: "DeepSeek (OpenAI API)",
    description:
      "DeepSeek V4's OpenAI-compatible endpoint; thinking switched on or off per provider, its reasoning sent back.",
    // https://api-docs.deepseek.com/ (base https://api.deepseek.com, Bearer); models
    // deepseek-v4-pro and deepseek-v4-flash (`deepseek-chat` stopped working on 2026-07-24);
    // https://api-docs.deepseek.com/guides/thinking_mode: `thinking: {type: enabled|disabled}`
    // (on by default) and `reasoning_content` of tool-call turns passed back.
    provider: {
      type: "openai",
      name: "DeepSeek (OpenAI API)",
      baseUrl: "https://api.deepseek.com",
      authHeader: "authorization",
      reasoning: "thinking",
      reasoningHistory: "reasoning_content",
      thinkingMode: "on",
      textOnly: true,
      dropFields: ["user", "parallel_tool_calls"],
      modelMap: { "claude-*opus*": "deepseek-v4-pro", "*": "deepseek-v4-flash" },
    },
    keyHint: "sk-…",
    fields: ["thinkingMode", "reasoning", "dropFields", "maxOutputTokens"],
  },
  {
    id: "gemini-openai",
    label: "Gemini (OpenAI-compatible)",
    description: "Google's Gemini 3 models through the Gemini API's OpenAI-compatible endpoint.",
    // https://ai.google.dev/gemini-api/docs/openai: base
    // https://generativelanguage.googleapis.com/v1beta/openai/, Bearer API key,
    // `reasoning_effort`; https://ai.google.dev/gemini-api/docs/models: gemini-3.1-pro-preview,
    // gemini-3-flash-preview.
    provider: {
      type: "openai",
      name: "Gemini",
      baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai",
      authHeader: "authorization",
      reasoning: "reasoning_effort",
      toolSchema: "gemini",
      dropFields: ["user", "parallel_tool_calls"],
      modelMap: { "claude-*haiku*": "gemini-3-flash-preview", "*": "gemini-3.1-pro-preview" },
    },
    keyHint: "AIza…",
    fields: ["reasoning", "dropFields", "maxOutputTokens"],
  },
  {
    id: "cloudflare-workers-ai",
    label: "Cloudflare Workers AI",
    description: "Workers AI's OpenAI-compatible endpoint: put your account id in the URL.",
    provider: {
      type: "openai",
      name: "Cloudflare Workers AI",
      baseUrl: "https://api.cloudflare.com/client/v4/accounts/ACCOUNT_ID/ai/v1",
      authHeader: "authorization",
      reasoning: "none",
      textOnly: true,
      maxOutputTokens: 8192,
      dropFields: ["user", "parallel_tool_calls", "stream_options"],
      modelMap: { "*": "@cf/openai/gpt-oss-120b" },
    },
    keyHint: "Cloudflare API token",
    fields: ["dropFields", "maxOutputTokens", "textOnly"],
  },
  {
    id: "ollama",
    label: "Ollama (local)",
    description: "A local Ollama server's OpenAI-compatible endpoint; no key needed.",
    provider: {
      type: "openai",
      name: "Ollama",
      baseUrl: "http://localhost:11434/v1",
      authHeader: "authorization",
      reasoning: "none",
      dropFields: ["user", "parallel_tool_calls"],
      timeoutMs: 300_000,
      modelMap: { "*": "qwen3-coder" },
    },
    needsKeys: false,
    fields: ["reasoning", "dropFields", "maxOutputTokens", "textOnly"],
  },
  {
    id: "custom-openai",
    label: "Custom OpenAI-compatible",
    description: "Any server that speaks OpenAI Chat Completions (vLLM, LM Studio, …).",
    provider: {
      type: "openai",
      name: "Custom (OpenAI)",
      baseUrl: "https://",
      authHeader: "authorization",
      reasoning: "none",
      dropFields: [],
    },
    fields: ["reasoning", "maxTokensField", "dropFields", "maxOutputTokens", "textOnly"],
  },
];
