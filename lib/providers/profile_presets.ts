/**
 * The built-in capability profiles (lib/config/fields/profile.ts), each filled in from its
 * vendor's documentation, and which one a provider starts from when its config names none.
 */
import type { Profile } from "../config/fields/profile.ts";
import type { Provider } from "../config/schema.ts";

type Base = NonNullable<Profile["base"]>;

/** Top-level fields of the Messages API every Anthropic-compatible upstream documents. */
export const CORE_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "system",
  "max_tokens",
  "metadata",
  "stop_sequences",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "tools",
  "tool_choice",
  "thinking",
]);

/** Content block types every Anthropic-compatible upstream with tools takes. */
export const CORE_BLOCKS: readonly string[] = [
  "text",
  "image",
  "document",
  "tool_use",
  "tool_result",
  "thinking",
  "redacted_thinking",
];

/** What a gateway that knows only the core Messages API (and no betas) accepts. */
const STRICT: Profile = {
  unknownFields: "drop",
  adaptiveThinking: "enabled",
  outputConfig: "drop",
  systemMessages: "user",
  serverTools: "drop",
  cacheControl: "basic",
  toolExtras: "drop",
  blockTypes: [...CORE_BLOCKS],
  betas: [],
};

/** The built-in profiles by name. */
export const BUILTIN_PROFILES: Readonly<Record<Base, Profile>> = {
  // The Anthropic API itself: everything Claude Code sends is its own.
  anthropic: {},
  strict: STRICT,
  // https://docs.z.ai/scenario-example/develop-tools/claude (Claude Code on Z.AI's Anthropic
  // endpoint): the Messages API with tools and thinking; Claude Code's newer fields and Anthropic's
  // server tools are not documented there.
  zai: { ...STRICT, betas: undefined },
  // https://api-docs.deepseek.com/guides/anthropic_api ("Anthropic API Compatibility Details"):
  // anthropic-beta ignored; thinking supported (budget_tokens ignored); output_config: only
  // effort; cache_control ignored; image, document and search_result blocks "Not Supported".
  deepseek: {
    ...STRICT,
    betas: undefined,
    outputConfig: "effort",
    blockTypes: ["text", "tool_use", "tool_result", "thinking", "redacted_thinking"],
  },
  // https://platform.moonshot.ai/docs/guide/agent-support (Kimi's Anthropic endpoint for Claude
  // Code): the Messages API with tools, images and thinking.
  kimi: { ...STRICT, betas: undefined },
  // https://openrouter.ai/docs/guides/guides/claude-code-integration: OpenRouter's Anthropic
  // endpoint forwards Claude Code's requests to Anthropic's models; fast mode and server-side
  // fallbacks are the Anthropic API's own.
  openrouter: { dropFields: ["speed", "fallbacks"] },
  // https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
  // (betas are filtered by `allowedBetas`, lib/providers/cloud_betas.ts).
  bedrock: { dropFields: ["speed", "fallbacks"], cacheControl: "noScope" },
  // https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude
  vertex: { dropFields: ["speed", "fallbacks"], cacheControl: "noScope" },
};

/** Anthropic-compatible hosts whose profile applies when the config names none. */
const HOSTS: readonly [string, Base][] = [
  ["api.z.ai", "zai"],
  ["open.bigmodel.cn", "zai"],
  ["api.deepseek.com", "deepseek"],
  ["api.moonshot.ai", "kimi"],
  ["api.moonshot.cn", "kimi"],
  ["api.kimi.com", "kimi"],
  ["openrouter.ai", "openrouter"],
];

/** The built-in profile a provider starts from: the configured one, else by host, else none. */
export function baseProfileName(provider: Provider): Base | null {
  if (provider.profile?.base) return provider.profile.base;
  if (provider.type !== "anthropic") return null;
  const url = provider.baseUrl;
  // Cheap for the common case: the Anthropic API needs no URL parse.
  if (url.startsWith("https://api.anthropic.com")) return null;
  const host = url.replace(/^https?:\/\//i, "").split(/[/:]/, 1)[0].toLowerCase();
  return HOSTS.find(([h]) => host === h || host.endsWith(`.${h}`))?.[1] ?? null;
}
