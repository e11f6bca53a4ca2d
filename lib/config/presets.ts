/**
 * Provider presets: the admin page's "add provider" starting points. A preset only fills in a
 * provider; the result is validated by ProviderSchema like any other edit.
 */
import { type Preset, type PresetInput, PresetSchema } from "./preset_schema.ts";
import { OPENAI_PRESETS } from "./presets_openai.ts";

export { type Preset, type PresetInput, PresetSchema };

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
    // https://docs.z.ai/scenario-example/develop-tools/claude: base URL, Bearer token (Claude
    // Code's ANTHROPIC_AUTH_TOKEN). The docs map Opus/Sonnet to GLM-5.3 and Haiku to
    // GLM-5.3-Flash.
    provider: {
      type: "anthropic",
      name: "Z.AI",
      baseUrl: "https://api.z.ai/api/anthropic",
      authHeader: "authorization",
      modelMap: { "claude-*haiku*": "glm-5.3-flash", "*": "glm-5.3" },
      profile: { base: "zai" },
    },
    fields: ["profile"],
  },
  {
    id: "openrouter-anthropic",
    label: "OpenRouter (Anthropic API)",
    description: "OpenRouter's Anthropic-compatible Messages endpoint.",
    // https://openrouter.ai/docs/guides/guides/claude-code-integration: base
    // https://openrouter.ai/api, the key as ANTHROPIC_AUTH_TOKEN (Bearer), Anthropic model slugs.
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
      profile: { base: "openrouter" },
    },
    keyHint: "sk-or-v1-…",
    fields: ["profile"],
  },
  {
    id: "kimi",
    label: "Kimi (Moonshot)",
    description: "Moonshot's Anthropic-compatible endpoint for Kimi models.",
    // https://platform.moonshot.ai/docs/guide/agent-support: base
    // https://api.moonshot.ai/anthropic, the key as ANTHROPIC_AUTH_TOKEN (Bearer), kimi-k2.5.
    provider: {
      type: "anthropic",
      name: "Kimi",
      baseUrl: "https://api.moonshot.ai/anthropic",
      authHeader: "authorization",
      modelMap: { "*": "kimi-k2.5" },
      profile: { base: "kimi" },
    },
    fields: ["profile"],
  },
  {
    id: "deepseek",
    label: "DeepSeek",
    description: "DeepSeek's Anthropic-compatible endpoint (V4: thinking on by default).",
    // https://api-docs.deepseek.com/guides/anthropic_api: base https://api.deepseek.com/anthropic,
    // x-api-key; `deepseek-chat` stopped working on 2026-07-24: V4 Pro for Opus, Flash otherwise
    // (the names its own Claude mapping uses).
    provider: {
      type: "anthropic",
      name: "DeepSeek",
      baseUrl: "https://api.deepseek.com/anthropic",
      modelMap: { "claude-*opus*": "deepseek-v4-pro", "*": "deepseek-v4-flash" },
      profile: { base: "deepseek" },
    },
    fields: ["profile"],
  },
  {
    id: "custom-anthropic",
    label: "Custom Anthropic-compatible",
    description: "Any endpoint that speaks the Anthropic Messages API.",
    provider: { type: "anthropic", name: "Custom", baseUrl: "https://" },
    fields: ["profile"],
  },
  {
    id: "custom-anthropic-strict",
    label: "Strict Anthropic-compatible gateway",
    description:
      "A gateway that knows only the core Messages API: Claude Code's newer fields, betas and server tools are dropped.",
    // The core request of https://docs.anthropic.com/en/api/messages; what goes is listed in
    // lib/providers/profile_presets.ts (`strict`).
    provider: {
      type: "anthropic",
      name: "Gateway",
      baseUrl: "https://",
      profile: { base: "strict" },
    },
    fields: ["profile"],
  },
  {
    id: "claude-subscription-oauth",
    label: "Claude subscription (auto-refreshing login)",
    description:
      "A Claude Pro/Max login's OAuth tokens (from ~/.claude/.credentials.json); Detour refreshes them.",
    provider: {
      type: "anthropic",
      name: "Claude subscription",
      baseUrl: "https://api.anthropic.com",
    },
    needsKeys: false,
    fields: ["oauthRefreshToken", "oauthAccessToken", "oauthExpiresAt"],
  },
  {
    id: "claude-subscription-file",
    label: "Claude subscription (Claude Code's credentials file)",
    description:
      "On this machine: reads and refreshes the login in Claude Code's credentials file.",
    provider: {
      type: "anthropic",
      name: "Claude subscription",
      baseUrl: "https://api.anthropic.com",
      oauthCredentialsFile: "~/.claude/.credentials.json",
    },
    needsKeys: false,
    fields: ["oauthCredentialsFile"],
  },
  {
    id: "aws-bedrock",
    label: "AWS Bedrock (access keys)",
    description:
      "Claude on Bedrock, signed with an IAM access key; region and base URL must name the same region.",
    provider: {
      type: "bedrock",
      name: "AWS Bedrock",
      baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
      region: "us-east-1",
      profile: { base: "bedrock" },
    },
    needsKeys: false,
    fields: [
      "region",
      "awsAccessKeyId",
      "awsSecretAccessKey",
      "awsSessionToken",
      "crossRegion",
      "profile",
    ],
  },
  {
    id: "aws-bedrock-default",
    label: "AWS Bedrock (AWS profile, SSO or role)",
    description:
      "Claude on Bedrock with the credentials the machine already has: environment, ~/.aws profiles (SSO, credential_process), or the instance or task role; add awsProfile to pick a profile.",
    provider: {
      type: "bedrock",
      name: "AWS Bedrock",
      baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
      region: "us-east-1",
      awsCredentials: "default",
    },
    needsKeys: false,
    fields: ["region", "awsCredentials", "awsProfile", "crossRegion"],
  },
  {
    id: "aws-bedrock-api-key",
    label: "AWS Bedrock (API key)",
    description: "Claude on Bedrock with a Bedrock API key sent as a bearer token.",
    provider: {
      type: "bedrock",
      name: "AWS Bedrock",
      baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
      region: "us-east-1",
      profile: { base: "bedrock" },
    },
    keyHint: "ABSK…",
    fields: ["region", "crossRegion", "profile"],
  },
  {
    id: "google-vertex",
    label: "Google Vertex AI",
    description:
      "Claude on Vertex AI with a service account key; `global`, or a region with its own base URL.",
    provider: {
      type: "vertex",
      name: "Google Vertex AI",
      baseUrl: "https://aiplatform.googleapis.com",
      region: "global",
      profile: { base: "vertex" },
    },
    needsKeys: false,
    fields: ["region", "projectId", "serviceAccountJson", "profile"],
  },
  {
    id: "google-vertex-adc",
    label: "Google Vertex AI (Application Default Credentials)",
    description:
      "Claude on Vertex AI as gcloud's application-default login, GOOGLE_APPLICATION_CREDENTIALS or the metadata server's service account; name the project.",
    provider: {
      type: "vertex",
      name: "Google Vertex AI",
      baseUrl: "https://aiplatform.googleapis.com",
      region: "global",
      googleCredentials: "default",
    },
    needsKeys: false,
    fields: ["region", "projectId", "googleCredentials"],
  },
]);

/** The OpenAI-compatible presets (presets_openai.ts) come after the Anthropic-wire ones. */
PRESETS.push(...PresetSchema.array().parse(OPENAI_PRESETS));
