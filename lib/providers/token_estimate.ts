/**
 * The count_tokens answer where a cloud cannot count (Bedrock models, regions or roles without
 * CountTokens; Vertex regions without count-tokens): the shared local estimate
 * (lib/translate/estimate.ts), marked `x-detour-estimate: true` as for OpenAI providers.
 */
import { estimateInputTokens } from "../translate/estimate.ts";

/** A count_tokens response from the local estimate. */
export function estimatedCountResponse(body: Record<string, unknown>): Response {
  return Response.json({ input_tokens: estimateInputTokens(body) }, {
    headers: { "x-detour-estimate": "true" },
  });
}
