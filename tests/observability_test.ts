/**
 * Logs (JSON and pretty, levels), OpenTelemetry attempt attributes (a recording fake span), and
 * the webhook: a mock receiver on 127.0.0.1 told once about a failover burst, then rate-limited,
 * with the URL's secrets in no log line.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { Span, SpanOptions, Tracer } from "@opentelemetry/api";
import { ConfigSchema } from "../lib/config/schema.ts";
import type { AttemptRecord } from "../lib/fallback/engine.ts";
import { createLogger, formatPretty, resolveLogFormat } from "../lib/log.ts";
import { Webhook } from "../lib/notify/webhook.ts";
import { attemptAttributes, recordAttempts } from "../lib/telemetry.ts";
import {
  anthropicErrorResponse,
  anthropicMessage,
  mockUpstream,
  serve,
  startDetour,
  waitFor,
} from "./helpers/harness.ts";

Deno.test("logs: JSON lines by default, pretty lines on request, levels filter", () => {
  const lines: string[] = [];
  const json = createLogger("info", (l) => lines.push(l));
  json.debug("hidden");
  json.info("request", { id: "r1", status: 200 });
  assert.equal(lines.length, 1);
  const parsed = JSON.parse(lines[0]);
  assert.equal(parsed.level, "info");
  assert.equal(parsed.msg, "request");
  assert.equal(parsed.status, 200);
  assert.ok(!Number.isNaN(Date.parse(parsed.time)));

  const pretty: string[] = [];
  const p = createLogger("warn", (l) => pretty.push(l), "pretty", false);
  p.info("hidden");
  p.warn("circuit", { provider: "zai", to: "open", note: "two words", n: [1] });
  assert.match(
    pretty[0],
    /^\d\d:\d\d:\d\d\.\d{3} WARN {2}circuit provider=zai to=open note="two words" n=\[1\]$/,
  );
  const coloured = formatPretty(new Date(0), "error", "boom", { a: 1 }, true);
  assert.ok(coloured.includes("\x1b[31mERROR"), "errors are red");

  const none: string[] = [];
  const silent = createLogger("silent", (l) => none.push(l));
  silent.error("nothing");
  assert.equal(none.length, 0);

  assert.equal(resolveLogFormat(undefined, () => true), "pretty");
  assert.equal(resolveLogFormat(undefined, () => false), "json");
  assert.equal(resolveLogFormat("json", () => true), "json");
  assert.equal(
    resolveLogFormat(undefined, () => {
      throw new Error("no tty");
    }),
    "json",
  );
});

/** A span that records what is set on it, and a tracer that hands out such spans. */
class FakeSpan {
  attributes: Record<string, unknown> = {};
  status?: { code: number; message?: string };
  ended?: number;
  constructor(public name = "request", public start?: number) {}
  isRecording() {
    return true;
  }
  setAttributes(a: Record<string, unknown>) {
    Object.assign(this.attributes, a);
    return this;
  }
  setStatus(s: { code: number; message?: string }) {
    this.status = s;
    return this;
  }
  end(t?: number) {
    this.ended = t;
  }
  spanContext() {
    return { traceId: "0".repeat(31) + "1", spanId: "0".repeat(15) + "1", traceFlags: 1 };
  }
}

Deno.test("telemetry: one span per attempt with provider, key, status, outcome, ms", () => {
  const records: AttemptRecord[] = [
    {
      label: "primary",
      provider: "primary",
      status: 529,
      outcome: "fallback",
      ms: 40,
      error: "529: Overloaded",
    },
    { label: "zai#2", provider: "zai", status: 200, outcome: "ok", ms: 100.4 },
  ];
  const children: FakeSpan[] = [];
  const tracer = {
    startSpan(name: string, opts: SpanOptions) {
      const s = new FakeSpan(name, opts.startTime as number);
      s.setAttributes(opts.attributes ?? {});
      children.push(s);
      return s as unknown as Span;
    },
  } as unknown as Tracer;
  const request = new FakeSpan();
  recordAttempts(records, "zai", { span: request as unknown as Span, tracer, endMs: 10_000 });
  assert.deepEqual(request.attributes, {
    "detour.served_by": "zai",
    "detour.attempts": 2,
    "detour.fallbacks": 1,
  });
  const [zai, primary] = children; // recorded last attempt first
  assert.equal(primary.name, "detour.attempt primary");
  assert.deepEqual(primary.attributes, {
    "detour.attempt.index": 0,
    "detour.provider": "primary",
    "detour.key": "primary",
    "detour.outcome": "fallback",
    "detour.ms": 40,
    "detour.status": 529,
    "detour.error": "529: Overloaded",
  });
  assert.equal(primary.status?.code, 2);
  assert.equal(zai.attributes["detour.key"], "zai#2");
  assert.equal(zai.attributes["detour.ms"], 100);
  assert.equal(zai.status, undefined);
  // Back to back, ending now.
  assert.equal(zai.ended, 10_000);
  assert.equal(zai.start, 10_000 - 100.4);
  assert.equal(primary.ended, zai.start);
  assert.deepEqual(
    attemptAttributes({ ...records[1], status: null }, 3)["detour.status"],
    undefined,
  );
  // Without OTel there is no active span: nothing happens, nothing throws.
  recordAttempts(records, "zai");
});

Deno.test("webhook: one notification per kind and provider per interval; window; timeout", async () => {
  let now = 0;
  const sent: { url: string; body: Record<string, unknown> }[] = [];
  const lines: string[] = [];
  let hang = false;
  const config = ConfigSchema.parse({
    providers: [],
    webhook: {
      url: "https://hooks.example/services/SECRET-PATH?token=SECRET-QUERY",
      burstFallbacks: 3,
      burstWindowSeconds: 10,
      minIntervalSeconds: 60,
      timeoutMs: 100,
    },
  });
  const hook = new Webhook({
    config: () => config,
    logger: createLogger("debug", (l) => lines.push(l)),
    now: () => now,
    fetch: (input, init) => {
      if (hang) {
        return new Promise((_, reject) =>
          init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason))
        );
      }
      sent.push({ url: String(input), body: JSON.parse(String(init!.body)) });
      return Promise.resolve(new Response("ok"));
    },
  });
  const fail = (provider: string): AttemptRecord => ({
    label: provider,
    provider,
    status: 529,
    outcome: "fallback",
    ms: 3,
  });
  const okay: AttemptRecord = { label: "b", provider: "b", status: 200, outcome: "ok", ms: 3 };
  hook.observe([fail("a"), okay]);
  now += 6_000;
  hook.observe([fail("a"), okay]);
  now += 6_000; // the first fallback left the 10 s window
  hook.observe([fail("a"), okay]);
  assert.equal(sent.length, 0);
  hook.observe([fail("a"), okay]);
  await hook.flush();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.type, "detour.failover_burst");
  assert.equal(sent[0].body.provider, "a");
  for (let i = 0; i < 5; i++) hook.observe([fail("a")]);
  hook.circuitOpened("a", 5);
  hook.circuitOpened("a", 6);
  await hook.flush();
  assert.deepEqual(sent.map((s) => s.body.type), ["detour.failover_burst", "detour.circuit_open"]);
  now += 60_000;
  hang = true;
  hook.circuitOpened("a", 7);
  await hook.flush();
  const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "webhook failed");
  assert.equal(failed.origin, "https://hooks.example");
  assert.match(failed.err, /no answer within 100 ms/);
  assert.ok(lines.every((l) => !l.includes("SECRET")), "the URL's path and query never logged");
});

Deno.test("webhook through Detour: a failover burst notifies once; logs hold no secret", async () => {
  const received: Record<string, unknown>[] = [];
  const receiver = serve(async (req) => {
    received.push(await req.json());
    return new Response(null, { status: 204 });
  });
  const primary = mockUpstream(() => anthropicErrorResponse(529, "overloaded_error", "busy"));
  const backup = mockUpstream((_r, body) =>
    Response.json(anthropicMessage("from backup", JSON.parse(body).model))
  );
  const clientKey = "sk-ant-api03-client-secret-0123456789";
  const storedKey = "sk-backup-stored-secret-0123456789";
  const detour = await startDetour({
    providers: [
      { id: "primary", type: "anthropic", baseUrl: primary.url, passthrough: true },
      { id: "backup", type: "anthropic", baseUrl: backup.url, keys: [storedKey] },
    ],
    cooldownSeconds: 0,
    circuitBreaker: { enabled: false },
    webhook: {
      url: `${receiver.url}/hook/SECRET-PATH?token=SECRET-QUERY`,
      burstFallbacks: 3,
      minIntervalSeconds: 3600,
    },
  }, { LOG_FORMAT: "pretty" });
  const client = new Anthropic({ baseURL: detour.url, apiKey: clientKey, maxRetries: 0 });
  try {
    for (let i = 0; i < 6; i++) {
      const msg = await client.messages.create({
        model: "claude-sonnet-5",
        max_tokens: 5,
        messages: [{ role: "user", content: "hi" }],
      });
      assert.equal((msg.content[0] as { text: string }).text, "from backup");
    }
    await waitFor(() => detour.logs.some((l) => l.includes("webhook sent")), 2000, "webhook");
    await detour.deps.webhook.flush();
    assert.equal(received.length, 1, "one burst, then rate-limited");
    assert.equal(received[0].type, "detour.failover_burst");
    assert.equal(received[0].provider, "primary");
    assert.match(String(received[0].text), /3 fallbacks away from primary/);
    // deno-lint-ignore no-control-regex
    const plain = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, "");
    const sentLine = plain(detour.logs.find((l) => l.includes("webhook sent"))!);
    assert.match(sentLine, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}webhook sent /, "LOG_FORMAT=pretty");
    assert.ok(sentLine.includes(`origin=${receiver.url}`));
    for (const secret of ["SECRET", clientKey, storedKey]) {
      assert.ok(detour.logs.every((l) => !l.includes(secret)), `no log line holds ${secret}`);
    }
  } finally {
    await detour.close();
    await primary.close();
    await backup.close();
    await receiver.close();
  }
});

Deno.test("webhook URL: the admin API shows its origin only and keeps it when sent back masked", async () => {
  const url = "https://hooks.example/services/SECRET-PATH?token=SECRET-QUERY";
  const detour = await startDetour({
    providers: [{ id: "a", type: "anthropic", baseUrl: "https://a.example", passthrough: true }],
    webhook: { url, burstFallbacks: 2 },
  });
  const api = (method: string, body?: unknown) =>
    fetch(`${detour.url}/admin/api/config`, {
      method,
      headers: { authorization: `Bearer ${detour.adminToken}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  try {
    const shown = await (await api("GET")).json();
    assert.equal(shown.webhook.url, "https://hooks.example/…");
    assert.equal(shown.webhook.burstFallbacks, 2);
    const put = await api("PUT", { ...shown, webhook: { ...shown.webhook, burstFallbacks: 4 } });
    assert.equal(put.status, 200, await put.clone().text());
    assert.ok(!(await put.text()).includes("SECRET"));
    assert.equal(detour.deps.live.config.webhook?.url, url, "the stored URL is kept");
    assert.equal(detour.deps.live.config.webhook?.burstFallbacks, 4);
    const wrong = await api("PUT", {
      ...shown,
      webhook: { ...shown.webhook, url: "https://other.example/…" },
    });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /webhook/);
    assert.equal(detour.deps.live.config.webhook?.url, url);
  } finally {
    await detour.close();
  }
});
