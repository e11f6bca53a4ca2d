/** Child processes for the bench: free loopback ports, start, wait until healthy, memory, stop. */

/** A started child with the tail of its stderr kept for error messages. */
export interface Child {
  name: string;
  process: Deno.ChildProcess;
  port: number;
  baseUrl: string;
  /** The last few kB the child wrote to stderr (stdout goes to /dev/null). */
  stderrTail(): string;
}

/** A free TCP port on 127.0.0.1 (bind to 0, read it, release it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts `deno run <flags> <script> <args>` as a separate process listening on `port`. */
export function spawnDeno(opts: {
  name: string;
  script: string;
  port: number;
  flags: string[];
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", ...opts.flags, opts.script, ...(opts.args ?? [])],
    env: opts.env,
    cwd: opts.cwd,
    stdin: "null",
    // Detour logs one JSON line per request: sending that to /dev/null keeps it off our clock.
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let tail = "";
  // Drain stderr so the child never blocks on a full pipe; keep only the tail for diagnostics.
  (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of process.stderr) {
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
    }
  })().catch(() => {});
  return {
    name: opts.name,
    process,
    port: opts.port,
    baseUrl: `http://127.0.0.1:${opts.port}`,
    stderrTail: () => tail,
  };
}

/** Waits until GET `{baseUrl}/health` answers 200, failing early if the child exits. */
export async function waitHealthy(child: Child, timeoutMs = 60_000): Promise<void> {
  // An object, so TypeScript does not narrow the field to null inside the loop.
  const state: { exited: Deno.CommandStatus | null } = { exited: null };
  child.process.status.then((s) => state.exited = s);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (state.exited) {
      throw new Error(
        `${child.name} exited with code ${state.exited.code} before becoming healthy:\n` +
          child.stderrTail(),
      );
    }
    try {
      const res = await fetch(`${child.baseUrl}/health`);
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} not healthy after ${timeoutMs} ms:\n${child.stderrTail()}`);
}

/**
 * Peak resident set size (VmHWM) of a live process, in kB; null where unavailable. Deno allows
 * reading /proc only with --allow-all, so this asks `cat` (the bench already may run programs).
 */
export function peakRssKb(pid: number): Promise<number | null> {
  return statusKb(pid, "VmHWM");
}

/** Resident set size right now (VmRSS) of a live process, in kB; null where unavailable. */
export function rssKb(pid: number): Promise<number | null> {
  return statusKb(pid, "VmRSS");
}

/**
 * CPU time (user + system, all threads) a live process has used so far, in milliseconds, from
 * /proc/<pid>/stat (via `cat`, as above); null where unavailable. Linux counts it in 10 ms ticks.
 */
export async function cpuMs(pid: number): Promise<number | null> {
  try {
    const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stderr: "null" })
      .output();
    const text = new TextDecoder().decode(out.stdout);
    // Fields after the parenthesised command name (which may hold spaces): utime is the 12th.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

async function statusKb(pid: number, field: string): Promise<number | null> {
  try {
    const out = await new Deno.Command("cat", { args: [`/proc/${pid}/status`], stderr: "null" })
      .output();
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m")
      .exec(new TextDecoder().decode(out.stdout));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

async function cpuTimes(): Promise<{ busy: number; total: number } | null> {
  const out = await new Deno.Command("cat", { args: ["/proc/stat"], stderr: "null" }).output();
  const fields = new TextDecoder().decode(out.stdout).split("\n")[0].trim().split(/\s+/).slice(1)
    .map(Number);
  if (fields.length < 5 || fields.some((n) => !Number.isFinite(n))) return null;
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the two fields that are not work.
  return { busy: total - fields[3] - fields[4], total };
}

/**
 * How busy all CPUs were (percent) over `ms` while the bench did nothing: other processes that
 * compete for the CPUs skew every figure. Read from /proc/stat via `cat`, as above.
 */
export async function cpuBusyPercent(ms = 1000): Promise<number | null> {
  try {
    const a = await cpuTimes();
    await new Promise((r) => setTimeout(r, ms));
    const b = await cpuTimes();
    if (!a || !b || b.total === a.total) return null;
    return (100 * (b.busy - a.busy)) / (b.total - a.total);
  } catch {
    return null;
  }
}

/** Stops a child (SIGTERM) and waits for it to exit; safe to call twice. */
export async function stop(child: Child): Promise<void> {
  try {
    child.process.kill("SIGTERM");
  } catch {
    // Already exited.
  }
  await child.process.status;
}
