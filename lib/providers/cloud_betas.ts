/**
 * Which `anthropic-beta` values go to Bedrock and Vertex. Claude Code sends betas meant for the
 * Anthropic API (`oauth-2025-04-20`, `prompt-caching-scope-…`) that the clouds reject with
 * `400 invalid beta flag`, so only known-good ones pass by default; a provider can list its own
 * (`allowedBetas` or its profile's `betas`, `*` for all). Should a cloud still reject a flag, the
 * adapters retry the attempt once without any betas.
 */
import type { Provider } from "../config/schema.ts";
import type { AttemptCall } from "../fallback/interceptors.ts";

/** Betas AWS documents for Claude on Bedrock, and ones seen accepted there. */
export const DEFAULT_CLOUD_BETAS: readonly string[] = [
  "claude-code-20250219",
  "computer-use-2024-10-22",
  "computer-use-2025-01-24",
  "computer-use-2025-11-24",
  "context-1m-2025-08-07",
  "context-management-2025-06-27",
  "dev-full-thinking-2025-05-14",
  "effort-2025-11-24",
  "interleaved-thinking-2025-05-14",
  "output-128k-2025-02-19",
  "structured-outputs-2025-11-13",
  "structured-outputs-2025-12-15",
  "token-efficient-tools-2025-02-19",
  "tool-examples-2025-10-29",
  "tool-search-tool-2025-10-19",
];

/** The client's betas, split and trimmed. */
export function betasOf(headers: Headers): string[] {
  return (headers.get("anthropic-beta") ?? "").split(",").map((b) => b.trim()).filter(Boolean);
}

/**
 * The betas this provider passes on, in the client's order: its `allowedBetas`, else its
 * capability profile's `betas` (lib/config/fields/profile.ts), else the known-good list.
 */
export function allowedBetas(provider: Provider, betas: string[]): string[] {
  const allow = provider.allowedBetas ?? provider.profile?.betas ?? DEFAULT_CLOUD_BETAS;
  if (allow.includes("*")) return betas;
  return betas.filter((b) => allow.includes(b));
}

/** True for a cloud's 400 that names a beta flag it does not take. */
export async function rejectsBeta(upstream: Response): Promise<boolean> {
  if (upstream.status !== 400 || !upstream.body) return false;
  const text = await upstream.clone().text().catch(() => "");
  return /invalid beta flag|anthropic[_-]beta/i.test(text.slice(0, 4096));
}

/**
 * A `retryOnce` decision: a cloud that refused a beta flag gets the attempt once more, without
 * any betas (noted on the call, which the adapter's next `prepare` reads).
 */
export async function retryWithoutBetas(upstream: Response, call: AttemptCall): Promise<boolean> {
  if (call.withoutBetas || betasOf(call.req.headers).length === 0) return false;
  if (!(await rejectsBeta(upstream))) return false;
  call.withoutBetas = true;
  return true;
}
