/**
 * Detour in its own process (optionally under `ulimit -n`), as it runs self-hosted: the bundle
 * `deno task start` and `deno task serve` run (`build/server/main.js`, written by
 * `deno task build:server`, which `deno task test` runs first), or `main.ts` from source, as Deno
 * Deploy runs it; one passthrough provider in front of `upstreamUrl`, its JSON log lines collected.
 */
import type { Running } from "./harness.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Detour in its own process, with its log lines and its KV file (kept until `close`). */
export interface DetourProcess extends Running {
  lines: string[];
  kvPath: string;
  /** The connection cap from the `listening` line (undefined without the front listener). */
  maxConnections: number | undefined;
  /** The exit status once the process has ended, else null. */
  exited(): Deno.CommandStatus | null;
  /** Sends SIGTERM and waits (bounded, 15 s) for the exit. */
  terminate(): Promise<Deno.CommandStatus>;
}

/** Which file starts Detour: the source entry point, or the self-hosted bundle. */
export type Entry = "main.ts" | "bundle";

const ENTRIES: Record<Entry, URL> = {
  "main.ts": new URL("../../main.ts", import.meta.url),
  bundle: new URL("../../build/server/main.js", import.meta.url),
};

/**
 * Starts `entry` on a free port (under `ulimit -n fdLimit` when given), once it logs
 * "listening"; `providers` replaces the one passthrough provider.
 */
export async function startDetourProcess(
  upstreamUrl: string,
  env: Record<string, string>,
  fdLimit?: number,
  providers: Record<string, unknown>[] = [
    { id: "anthropic", type: "anthropic", baseUrl: upstreamUrl, passthrough: true },
  ],
  entry: Entry = "bundle",
): Promise<DetourProcess> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ providers }));
  const main = ENTRIES[entry].pathname;
  if (entry === "bundle" && !(await Deno.stat(main).then(() => true, () => false))) {
    throw new Error(`${main} is missing: run \`deno task build:server\` (deno task test does)`);
  }
  // `ulimit` in a shell that then becomes Deno: the limit applies to Detour alone.
  const [command, args] = fdLimit === undefined
    ? [Deno.execPath(), ["run", "--allow-all", main]]
    : ["bash", [
      "-c",
      `ulimit -n ${fdLimit} && exec "$0" run --allow-all "$1"`,
      Deno.execPath(),
      main,
    ]];
  const child = new Deno.Command(command, {
    args,
    env: {
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      KV_PATH: `${dir}/detour.kv`,
      CONFIG_FILE: `${dir}/config.json`,
      ADMIN_TOKEN: "test-admin-token-0123456789",
      LOG_FORMAT: "json",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const drained = Promise.all([child.stdout, child.stderr].map(async (stream) => {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
    }
  }));
  let status: Deno.CommandStatus | null = null;
  const ended = child.status.then((s) => (status = s));
  const listening = await waitForLine(lines, (l) => l.includes('"listening"'), () => status);
  const { url, maxConnections } = JSON.parse(listening);
  const terminate = async () => {
    if (status === null) child.kill("SIGTERM");
    // Bounded: a process that ignores SIGTERM fails the test instead of hanging it.
    for (let i = 0; i < 300 && status === null; i++) await sleep(50);
    if (status === null) {
      child.kill("SIGKILL");
      await ended;
      throw new Error(`Detour did not exit within 15 s of SIGTERM:\n${lines.join("\n")}`);
    }
    await drained;
    return status;
  };
  return {
    url,
    port: Number(new URL(url).port),
    lines,
    kvPath: `${dir}/detour.kv`,
    maxConnections,
    exited: () => status,
    terminate,
    close: async () => {
      await terminate().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Waits (bounded, 30 s) for a log line matching `match`; fails early if the process ended. */
export async function waitForLine(
  lines: string[],
  match: (line: string) => boolean,
  exited: () => Deno.CommandStatus | null,
): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const line = lines.find(match);
    if (line) return line;
    if (exited()) throw new Error(`Detour exited:\n${lines.join("\n")}`);
    await sleep(50);
  }
  throw new Error(`no such line:\n${lines.join("\n")}`);
}
