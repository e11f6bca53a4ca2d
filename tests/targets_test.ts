/** The cooldown target codec: the strings stay what KV already holds, and read back typed. */
import assert from "node:assert/strict";
import {
  clientPrefix,
  isClientTarget,
  parseTarget,
  providerOfTarget,
  targets,
} from "../lib/fallback/targets.ts";
import { compileChain } from "../lib/fallback/chain.ts";
import { ConfigSchema } from "../lib/config/schema.ts";
import { sha256Hex } from "../lib/crypto.ts";

const HASH = "0123456789abcdef0123456789abcdef";

Deno.test("targets are built in the form KV already stores", () => {
  assert.equal(targets.provider("zai"), "p:zai");
  assert.equal(targets.key("zai", HASH), "k:zai:0123456789abcdef");
  assert.equal(targets.client("anthropic", HASH), "c:anthropic:0123456789abcdef");
  assert.equal(targets.billing("api_key"), "b:api_key");
  assert.equal(clientPrefix("anthropic"), "c:anthropic:");
  assert.ok(targets.client("anthropic", HASH).startsWith(clientPrefix("anthropic")));
});

Deno.test("targets read back as a discriminated union; other strings are null", () => {
  assert.deepEqual(parseTarget("p:zai"), { kind: "provider", provider: "zai" });
  assert.deepEqual(parseTarget("k:zai:0123456789abcdef"), {
    kind: "key",
    provider: "zai",
    hash: "0123456789abcdef",
  });
  assert.deepEqual(parseTarget("c:my-proxy:ff00"), {
    kind: "client",
    provider: "my-proxy",
    hash: "ff00",
  });
  assert.deepEqual(parseTarget("b:subscription"), { kind: "billing", path: "subscription" });
  for (const bad of ["", "p:", "x:zai", "k:zai", "k::abc", "k:zai:", "p:a:b", "b:", "zai"]) {
    assert.equal(parseTarget(bad), null, bad);
  }
  assert.equal(isClientTarget("c:anthropic:ff00"), true);
  assert.equal(isClientTarget("k:anthropic:ff00"), false);
  assert.equal(providerOfTarget("k:zai:ff00"), "zai");
  assert.equal(providerOfTarget("b:api_key"), null);
  for (const t of ["p:zai", "k:zai:ff", "c:zai:ff", "b:none"]) {
    const parsed = parseTarget(t)!;
    const again = parsed.kind === "provider"
      ? targets.provider(parsed.provider)
      : parsed.kind === "billing"
      ? targets.billing(parsed.path)
      : targets[parsed.kind === "key" ? "key" : "client"](parsed.provider, parsed.hash);
    assert.equal(again, t);
  }
});

Deno.test("the compiled chain names its provider and key targets with the codec", async () => {
  const chain = await compileChain(ConfigSchema.parse({
    providers: [{ id: "zai", type: "anthropic", baseUrl: "https://x.example", keys: ["sk-1"] }],
  }));
  const [p] = chain.providers;
  assert.equal(p.target, "p:zai");
  assert.equal(p.keys[0].target, `k:zai:${(await sha256Hex("sk-1")).slice(0, 16)}`);
  assert.deepEqual(parseTarget(p.keys[0].target)?.kind, "key");
});
