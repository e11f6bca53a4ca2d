/** Issue 12's pieces on their own: redaction by value, loop detection, the attempt bound. */
import assert from "node:assert/strict";
import { configSecrets, SecretSet } from "../lib/http/secret_set.ts";
import { isLoop, isOwnAddress, markHop, selfLoopIssues } from "../lib/fallback/hop.ts";
import { type Attempt, boundAttempts } from "../lib/fallback/plan.ts";
import { ConfigSchema } from "../lib/config/schema.ts";

Deno.test("SecretSet: exact values and their encoded forms; short values never", () => {
  const s = SecretSet.of(["plainsecretvalue123", "pa$$ word/+x", "short", "  padded-secret-1  "]);
  assert.equal(s.redact("key plainsecretvalue123 refused"), "key [redacted] refused");
  assert.equal(s.redact("xplainsecretvalue123y"), "x[redacted]y");
  assert.equal(s.redact(encodeURIComponent("pa$$ word/+x")), "[redacted]");
  assert.equal(s.redact(btoa("plainsecretvalue123").replace(/=+$/, "")), "[redacted]");
  assert.equal(s.redact("padded-secret-1 twice padded-secret-1"), "[redacted] twice [redacted]");
  assert.equal(s.redact("a short word"), "a short word", "values under 8 characters stay");
  const text = "nothing secret in here at all";
  assert.equal(s.redact(text), text);
  assert.equal(SecretSet.of([]).redact(text), text);
});

Deno.test("SecretSet: the longest of overlapping secrets wins", () => {
  const s = SecretSet.of(["abcdefgh", "abcdefghijkl"]);
  assert.equal(s.redact("<abcdefghijkl>"), "<[redacted]>");
  assert.equal(s.redact("<abcdefghXY>"), "<[redacted]XY>");
});

Deno.test("configSecrets: keys, cloud and OAuth credentials, header values, service account", () => {
  const pem = `-----BEGIN PRIVATE KEY-----\n${"A".repeat(64)}\n${
    "B".repeat(20)
  }\n-----END PRIVATE KEY-----\n`;
  const config = ConfigSchema.parse({
    providers: [
      {
        id: "a",
        type: "anthropic",
        baseUrl: "https://a.example",
        keys: ["key-one-value"],
        headers: { "x-gateway": "header-secret-9", "anthropic-beta": "some-beta-2025" },
      },
      {
        id: "max",
        type: "anthropic",
        baseUrl: "https://api.anthropic.com",
        oauthAccessToken: "oauth-access-token",
        oauthRefreshToken: "oauth-refresh-token",
      },
      {
        id: "b",
        type: "bedrock",
        baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
        region: "us-east-1",
        awsAccessKeyId: "AKIAABCDEFGHIJKLMNOP",
        awsSecretAccessKey: "aws-secret-access",
      },
      {
        id: "v",
        type: "vertex",
        baseUrl: "https://us-east5-aiplatform.googleapis.com",
        region: "us-east5",
        projectId: "my-project",
        serviceAccountJson: JSON.stringify({
          type: "service_account",
          client_email: "sa@my-project.iam.gserviceaccount.com",
          private_key: pem,
        }),
      },
    ],
  });
  const s = SecretSet.of(configSecrets(config));
  for (
    const secret of [
      "key-one-value",
      "header-secret-9",
      "oauth-access-token",
      "oauth-refresh-token",
    ]
  ) {
    assert.equal(s.redact(secret), "[redacted]");
  }
  assert.equal(s.redact("aws-secret-access"), "[redacted]");
  assert.equal(s.redact("some-beta-2025"), "some-beta-2025", "a beta name is not a secret");
  // Values are trimmed: the PEM's final newline stays.
  assert.equal(s.redact(JSON.stringify({ k: pem })), '{"k":"[redacted]\\n"}');
  assert.equal(s.redact(`line ${"A".repeat(64)}`), "line [redacted]");
});

Deno.test("hop: loops are this instance's id or too many hops; outgoing requests carry it", () => {
  const id = "0123456789abcdef0123456789abcdef";
  assert.ok(isLoop(new Headers({ "x-detour-hop": `other, ${id}` }), id));
  assert.ok(!isLoop(new Headers({ "x-detour-hop": "other" }), id));
  assert.ok(isLoop(new Headers({ "x-detour-hop": Array(8).fill("x").join(",") }), id));
  const out = markHop(new Request("http://u.example"), new Headers({ "x-detour-hop": "a" }), id);
  assert.equal(out.headers.get("x-detour-hop"), `a, ${id}`);
});

Deno.test("hop: Detour's own listen address in any local spelling, never another port", () => {
  for (const url of ["http://127.0.0.1:8000", "http://localhost:8000/v1", "http://[::1]:8000"]) {
    assert.ok(isOwnAddress(url, 8000), url);
  }
  assert.ok(isOwnAddress("http://0.0.0.0:8000", 8000));
  assert.ok(!isOwnAddress("http://127.0.0.1:8001", 8000));
  assert.ok(!isOwnAddress("https://api.anthropic.com", 443), "not a local host");
  assert.ok(!isOwnAddress("http://127.0.0.1:8000", undefined));
  assert.deepEqual(selfLoopIssues([{ baseUrl: "http://x.example" }], 8000), []);
  assert.equal(
    selfLoopIssues([{ baseUrl: "http://localhost:8000" }], 8000)[0].path,
    "providers.0.baseUrl",
  );
});

Deno.test("boundAttempts: at most max; all cooling means only the soonest", () => {
  const at = (label: string, coolingUntil: number | null) => ({ label, coolingUntil }) as Attempt;
  const ready = Array.from({ length: 10 }, (_, i) => at(`k#${i}`, null));
  assert.equal(boundAttempts(ready, 6).length, 6);
  assert.equal(boundAttempts(ready, undefined).length, 6, "the default");
  assert.equal(boundAttempts(ready.slice(0, 3), 6).length, 3);
  const mixed = [at("a", null), at("b", 5), at("c", 9)];
  assert.deepEqual(boundAttempts(mixed, 6).map((a) => a.label), ["a", "b", "c"]);
  const cooling = [at("b", 5), at("c", 9)];
  assert.deepEqual(boundAttempts(cooling, 6).map((a) => a.label), ["b"]);
  assert.deepEqual(boundAttempts([], 6), []);
});

Deno.test("SecretSet: the rolling scan agrees with a naive scan on random text", () => {
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const word = (len: number) =>
    Array.from({ length: len }, () => "abcxyz0189-_"[rand(12)]).join("");
  const secrets = Array.from({ length: 20 }, () => word(8 + rand(20)));
  const s = SecretSet.of(secrets);
  const naive = (text: string) => {
    let out = "";
    for (let i = 0; i < text.length;) {
      const hit = secrets.filter((x) =>
        text.startsWith(x, i)
      ).sort((a, b) => b.length - a.length)[0];
      if (hit) {
        out += "[redacted]";
        i += hit.length;
      } else out += text[i++];
    }
    return out;
  };
  for (let round = 0; round < 300; round++) {
    let text = "";
    while (text.length < 200) text += rand(3) === 0 ? secrets[rand(20)] : word(1 + rand(10));
    assert.equal(s.redact(text), naive(text));
  }
});
