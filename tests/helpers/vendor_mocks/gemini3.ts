/**
 * A mock of Gemini 3 on Google's OpenAI-compatible endpoint that enforces thought signatures
 * (https://ai.google.dev/gemini-api/docs/thought-signatures): every tool call it makes carries
 * `extra_content.google.thought_signature`, and in the current turn (everything after the last
 * user message) the first tool call of each assistant step must come back with the signature
 * Gemini gave that call, or one of the documented dummies for calls another model made
 * (`skip_thought_signature_validator`, `context_engineering_is_the_way_to_go`). Else it answers
 * 400 in Gemini's OpenAI-compatible error shape (an array), with its real wording ("Function call
 * is missing a thought_signature in functionCall parts…", as quoted on
 * https://discuss.ai.google.dev/t/openai-api-compatibility-broken-due-to-thought-signature-on-gemini-3-pro-preview/109823).
 */
import { callsTool, type Json, rand, type VendorMock, vendorServer } from "./common.ts";
import { chatAnswer, chatAssistants } from "./openai_wire.ts";

const DUMMIES = new Set([
  "skip_thought_signature_validator",
  "context_engineering_is_the_way_to_go",
]);

/** Gemini's error as its OpenAI-compatible endpoint sends it: an array of one error. */
export function geminiError(status: number, message: string, code = "INVALID_ARGUMENT") {
  return Response.json([{ error: { code: status, message, status: code } }], { status });
}

function signatureOf(call: Json | undefined): string | undefined {
  const google = (call?.extra_content as Json | undefined)?.google as Json | undefined;
  return typeof google?.thought_signature === "string" ? google.thought_signature : undefined;
}

/** The refusal for a current-turn step whose first call lacks a valid signature, or null. */
export function missingSignature(body: Json, issued: Map<string, string>): Response | null {
  const messages = Array.isArray(body.messages) ? body.messages as Json[] : [];
  const turnStart = messages.findLastIndex((m) => m.role === "user");
  for (const { index, m } of chatAssistants(body)) {
    if (index < turnStart || !Array.isArray(m.tool_calls) || m.tool_calls.length === 0) continue;
    const first = m.tool_calls[0] as Json;
    const signature = signatureOf(first);
    const valid = signature !== undefined &&
      (DUMMIES.has(signature) || issued.get(signature) === first.id);
    if (!valid) {
      const name = String((first.function as Json | undefined)?.name);
      return geminiError(
        400,
        `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , position ${index}. please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
      );
    }
  }
  return null;
}

/** The Gemini 3 mock: a tool call (signed) until `toolTurns` assistant turns, then text. */
export function gemini3Mock(opts: { toolTurns?: number } = {}): VendorMock & {
  issued: Map<string, string>;
} {
  const issued = new Map<string, string>();
  const mock = vendorServer(
    (body, req) => {
      if (!req.headers.get("authorization")) {
        return geminiError(401, "API key not valid.", "UNAUTHENTICATED");
      }
      return missingSignature(body, issued);
    },
    (body) => {
      if (!callsTool(body.messages, opts.toolTurns ?? 2)) {
        return chatAnswer(body, { text: "All done." });
      }
      const id = `function-call-${rand()}`;
      const signature = `CrICAdHtim${rand()}${rand()}`;
      issued.set(signature, id);
      return chatAnswer(body, {
        call: {
          id,
          name: "Read",
          args: { file_path: "/repo/a.ts" },
          extra: { google: { thought_signature: signature } },
        },
      });
    },
    () => geminiError(503, "The model is overloaded. Please try again later.", "UNAVAILABLE"),
  );
  return { ...mock, issued };
}
