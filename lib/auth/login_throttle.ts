/**
 * Failed admin logins are limited per client address: after `limit` failures within the window
 * the address is locked out for `lockMs`, on every instance (the count lives in KV, with expiry).
 */
import {
  addLoginFailure,
  clearLoginFailures,
  readLoginFailures,
} from "../store/login_throttle_store.ts";

/** The defaults, also what the login form tells the user. */
export const LOGIN_LIMIT = 5;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_LOCK_MS = 15 * 60 * 1000;

/** Where an address stands. */
export interface ThrottleState {
  locked: boolean;
  /** When the lock (or the failure window) ends, ms since the epoch; null with no failures. */
  until: number | null;
  /** Attempts left before a lock. */
  remaining: number;
}

/** IPv6 clients usually control a whole /64, so failures count per /64 there. */
export function throttleAddress(address: string | null): string {
  if (!address) return "unknown";
  const host = address.replace(/^\[|\]$/g, "").toLowerCase();
  const mapped = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped) return mapped[1];
  if (!host.includes(":")) return host;
  const [head, tail = ""] = host.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = host.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

export class LoginThrottle {
  #kv: Deno.Kv;
  #opts: { limit: number; windowMs: number; lockMs: number };

  constructor(
    kv: Deno.Kv,
    opts: Partial<{ limit: number; windowMs: number; lockMs: number }> = {},
  ) {
    this.#kv = kv;
    this.#opts = {
      limit: opts.limit ?? LOGIN_LIMIT,
      windowMs: opts.windowMs ?? LOGIN_WINDOW_MS,
      lockMs: opts.lockMs ?? LOGIN_LOCK_MS,
    };
  }

  get limit(): number {
    return this.#opts.limit;
  }

  get lockMinutes(): number {
    return Math.round(this.#opts.lockMs / 60_000);
  }

  get windowMinutes(): number {
    return Math.round(this.#opts.windowMs / 60_000);
  }

  #state(record: { count: number; resetAt: number; lockedUntil: number | null } | null) {
    if (!record) return { locked: false, until: null, remaining: this.#opts.limit };
    const locked = record.lockedUntil !== null && record.lockedUntil > Date.now();
    return {
      locked,
      until: record.lockedUntil ?? record.resetAt,
      remaining: Math.max(0, this.#opts.limit - record.count),
    };
  }

  /** The address's state before an attempt. */
  async check(address: string): Promise<ThrottleState> {
    return this.#state(await readLoginFailures(this.#kv, address));
  }

  /** Counts a failed attempt and returns the new state. */
  async fail(address: string): Promise<ThrottleState> {
    return this.#state(await addLoginFailure(this.#kv, address, this.#opts));
  }

  /** Forgets the failures after a successful login. */
  async succeed(address: string): Promise<void> {
    await clearLoginFailures(this.#kv, address);
  }
}
