/**
 * How many client connections the self-hosted listener accepts, derived from the process's
 * descriptor limit so that Detour sheds load before the kernel refuses it a descriptor.
 */

/** Descriptors kept back for everything that is not a client connection (KV, logs, DNS, stdio). */
export const RESERVED_FDS = 64;

/**
 * Descriptors one client connection may hold: the accepted socket, the front listener's loopback
 * socket to the HTTP server and that server's end of it, and one upstream fetch in flight.
 */
export const FDS_PER_CONNECTION = 4;

/** Where the default cap stops, whatever the limit: each open connection also costs memory. */
export const MAX_DERIVED_CONNECTIONS = 4096;

/** Assumed when /proc/self/limits cannot be read (macOS's default soft limit). */
export const FALLBACK_FD_LIMIT = 256;

/**
 * Assumed on Linux when /proc/self/limits cannot be read, which is the case with the documented
 * flags (Deno shows /proc/self only to --allow-all). Deno raises its soft limit to the hard one at
 * startup, and Linux's hard limit is at least 4096 on common systems (systemd: 524288); assuming
 * macOS's 256 here capped a self-hosted Detour at 48 concurrent streams.
 */
export const LINUX_FALLBACK_FD_LIMIT = 4096;

/** The descriptor limit to derive the cap from on `os` when `read` is null (unreadable). */
export function assumedFdLimit(read: number | null, os: string): number | null {
  return read ?? (os === "linux" ? LINUX_FALLBACK_FD_LIMIT : null);
}

/** The soft RLIMIT_NOFILE from /proc/self/limits text, or null when absent or "unlimited". */
export function parseSoftFdLimit(limits: string): number | null {
  const line = limits.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  const n = Number(soft);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** This process's soft descriptor limit, or null where the platform or permissions hide it. */
export function readSoftFdLimit(): number | null {
  try {
    return parseSoftFdLimit(Deno.readTextFileSync("/proc/self/limits"));
  } catch {
    return null;
  }
}

/** The connection cap: `override` (MAX_CONNECTIONS) when set, else derived from the soft limit. */
export function connectionCap(softLimit: number | null, override?: number): number {
  if (override !== undefined) return override;
  const fds = softLimit ?? FALLBACK_FD_LIMIT;
  const derived = Math.floor((fds - RESERVED_FDS) / FDS_PER_CONNECTION);
  return Math.max(1, Math.min(MAX_DERIVED_CONNECTIONS, derived));
}
