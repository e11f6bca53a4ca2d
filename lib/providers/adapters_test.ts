/** The app's adapters: model lists go through the app's fetch, never the global one. */
import assert from "node:assert/strict";
import { LiveConfig } from "../config/live_config.ts";
import { ConfigSchema, type Provider, ProviderSchema } from "../config/schema.ts";
import { createLogger } from "../log.ts";
import { ConversationBook } from "../repair/conversation.ts";
import { createAdapters } from "./adapters.ts";
import { ClaudeOAuth } from "./claude_subscription.ts";
import { GoogleTokens } from "./google_auth.ts";

Deno.test("adapters: both model lists are fetched with the app's fetch", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const seen: string[] = [];
    const stub: typeof fetch = (input) => {
      const url = input instanceof Request ? input.url : String(input);
      seen.push(url);
      return Promise.resolve(Response.json({ data: [{ id: `model-from-${new URL(url).host}` }] }));
    };
    const adapters = createAdapters({
      fetch: stub,
      oauth: new ClaudeOAuth(kv),
      google: new GoogleTokens(stub),
      logger: createLogger("silent"),
      live: await LiveConfig.open(kv, ConfigSchema.parse({ providers: [] })),
      conversations: new ConversationBook(),
    });
    const list = async (p: Provider) =>
      (await adapters.adapterFor(p)).listModels!(
        p,
        { kind: "stored", value: "sk-test", target: `p:${p.id}` },
        new Headers(),
        new AbortController().signal,
      );
    const anthropic = ProviderSchema.parse({
      id: "a",
      type: "anthropic",
      baseUrl: "https://anthropic.test",
    });
    const openai = ProviderSchema.parse({
      id: "o",
      type: "openai",
      baseUrl: "https://openai.test/v1",
    });
    assert.deepEqual(await list(anthropic), ["model-from-anthropic.test"]);
    assert.deepEqual(await list(openai), ["model-from-openai.test"]);
    assert.deepEqual(seen, [
      "https://anthropic.test/v1/models?limit=1000",
      "https://openai.test/v1/models",
    ]);
  } finally {
    kv.close();
  }
});
