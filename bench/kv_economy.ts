/**
 * KV economy: how many KV reads and writes Detour makes per 1,000 requests and per idle
 * instance-hour, counted by wrapping the Deno.Kv methods (tests/helpers/kv_spy.ts). Deno Deploy
 * meters KV reads and writes, so this is what an instance costs.
 *
 *   deno run --allow-all bench/kv_economy.ts [--requests 1000] [--idle-seconds 61] [--slow 60]
 *
 * Two modes: `watch` (KV_PATH=:memory:, standing in for Deno Deploy and a self-hosted denokv:
 * the change feed's watch plus its 60 s safety read) and `file` (a local KV file other processes
 * may share: the version keys are read every second). Each mode boots Detour in process over
 * one passthrough mock upstream, stays idle for `--idle-seconds` (scaled to an hour), then sends
 * `--requests` requests one after another as fast as they are answered (fallback-free, usage and
 * request log on), then `--slow` requests 0.5 s apart (a person's pace: what is read once a second
 * costs more per request there), waits for the batches to flush, and counts each phase per 1,000.
 */
import { parseArgs } from "node:util";
import { anthropicMessage, mockUpstream, startDetour } from "../tests/helpers/harness.ts";
import { type KvCounts, spyKv } from "../tests/helpers/kv_spy.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    "idle-seconds": { type: "string", default: "61" },
    slow: { type: "string", default: "60" },
  },
});
const REQUESTS = Number(values.requests);
const IDLE_S = Number(values["idle-seconds"]);
const SLOW = Number(values.slow);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts scaled by `factor`, rounded. */
const scaled = (c: KvCounts, factor: number) =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Math.round(v * factor)]));

async function measure(mode: "watch" | "file") {
  const upstream = mockUpstream((_req, body) =>
    Response.json({
      ...anthropicMessage("ok", JSON.parse(body).model),
      usage: { input_tokens: 10, output_tokens: 5 },
    })
  );
  const dir = await Deno.makeTempDir();
  const path = mode === "file" ? `${dir}/detour.kv` : ":memory:";
  const spy = spyKv(await Deno.openKv(path));
  const detour = await startDetour(
    {
      providers: [{ id: "anthropic", type: "anthropic", baseUrl: upstream.url, passthrough: true }],
    },
    { KV_PATH: path, LOG_LEVEL: "error" },
    spy.kv,
  );
  try {
    await sleep(1500); // boot's own reads and first writes settle
    spy.reset();
    await sleep(IDLE_S * 1000);
    const idle = scaled(spy.counts, 3600 / IDLE_S);
    spy.reset();
    const send = async () => {
      const res = await fetch(`${detour.url}/v1/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "anthropic-version": "2023-06-01",
          "x-api-key": "sk-ant-api03-kv-economy-0123456789",
        },
        body: JSON.stringify({
          model: "claude-sonnet-5",
          max_tokens: 8,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      await res.arrayBuffer();
    };
    const settle = async () => {
      await sleep(1500);
      await Promise.all([detour.deps.outcomes.flush(), detour.deps.usage.flush()]);
    };
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) await send();
    const seconds = (performance.now() - started) / 1000;
    await settle();
    const fast = scaled(spy.counts, 1000 / REQUESTS);
    spy.reset();
    for (let i = 0; i < SLOW; i++) {
      await send();
      await sleep(500);
    }
    await settle();
    const slow = scaled(spy.counts, 1000 / SLOW);
    return { mode, idlePerHour: idle, fast, slow, rps: REQUESTS / seconds };
  } finally {
    await detour.close();
    await upstream.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const rows = [];
for (const mode of ["watch", "file"] as const) rows.push(await measure(mode));
console.log(JSON.stringify(rows, null, 2));
console.log(
  "\n| mode | per idle hour: reads (keys) / writes | per 1,000 requests back to back: reads (keys) / writes (mutations) | per 1,000 requests at 2/s |",
);
console.log("| --- | --- | --- | --- |");
const cell = (q: Record<string, number>) =>
  `${q.reads} (${q.readKeys}) / ${q.writes} (${q.mutations})`;
for (const r of rows) {
  const i = r.idlePerHour;
  console.log(
    `| ${r.mode} | ${i.reads} (${i.readKeys}) / ${i.writes} | ${cell(r.fast)} at ${
      r.rps.toFixed(0)
    } req/s | ${cell(r.slow)} |`,
  );
}
