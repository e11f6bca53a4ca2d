/** Environment variables, validated once at startup. */
import * as z from "zod";

const csv = z.string().optional().transform((s) =>
  (s ?? "").split(",").map((v) => v.trim()).filter((v) => v.length > 0)
);

export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOSTNAME: z.string().default("0.0.0.0"),
  /** Local KV file; ignored on Deno Deploy, which provides its own KV. */
  KV_PATH: z.string().default("./data/detour.kv"),
  ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be at least 16 characters").optional(),
  ACCESS_KEYS: csv.pipe(
    z.array(z.string().min(16, "each ACCESS_KEYS entry must be at least 16 characters")),
  ),
  CONFIG_FILE: z.string().optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** A Bearer token for GET /metrics only (the admin token works too). */
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  /** `json` lines or `pretty` coloured lines; unset: pretty on a terminal, else JSON. */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  /**
   * Reverse proxies in front of Detour that append to X-Forwarded-For: the client address for
   * admin login throttling is read from that header. 0 (default): the TCP peer's address.
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  // Connection limits of the self-hosted listener (lib/server); Deno Deploy manages its own.
  /** A request's head (request line and headers) must arrive within this, from its first byte. */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** A request's body must arrive within this, after its head. */
  BODY_TIMEOUT_MS: z.coerce.number().int().min(100).default(300_000),
  /** A kept-alive connection with no request in flight is closed after this. */
  IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(75_000),
  /** Open client connections beyond which Detour answers 529; unset: from the descriptor limit. */
  MAX_CONNECTIONS: z.coerce.number().int().min(1).optional(),
  /**
   * `off`: no front listener (Deno.serve on the public port), for a reverse proxy that bounds
   * header, body and idle time and connections itself; saves the second loopback hop.
   */
  FRONT_LISTENER: z.enum(["on", "off"]).default("on"),
  /**
   * On SIGINT or SIGTERM, how long in-flight requests and streams may run on before the rest are
   * ended with an SSE error event (lib/server/drain.ts). Unset: 10 s, or 4 s on Deno Deploy,
   * which kills an instance 5 s after its SIGINT.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  /** Set by Deno Deploy. */
  DENO_DEPLOYMENT_ID: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

/** SHUTDOWN_GRACE_MS, or its default: within Deno Deploy's 5 s between SIGINT and the kill. */
export function shutdownGraceMs(env: Env): number {
  return env.SHUTDOWN_GRACE_MS ?? (env.DENO_DEPLOYMENT_ID ? 4000 : 10_000);
}

/** Reads and validates the environment; throws one readable message listing every problem. */
export function readEnv(source: Record<string, string> = Deno.env.toObject()): Env {
  const blankless = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const parsed = EnvSchema.safeParse(blankless);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new Error(`invalid environment:\n${lines.join("\n")}`);
}
