/** The admin JSON API: config, status, provider test, access keys. Bearer ADMIN_TOKEN. */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import { convertLegacyConfig, isLegacyConfig } from "../../lib/config/legacy.ts";
import { maskConfig, unmaskKeys } from "../../lib/config/mask.ts";
import { ConfigSchema } from "../../lib/config/schema.ts";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { probeProvider } from "../../lib/fallback/probe.ts";
import { addAccessKey, listAccessKeys, revokeAccessKey } from "../../lib/store/access_key_store.ts";
import { statusReport } from "../../lib/admin/status.ts";

/** One invalid field: where, and what is wrong. */
interface Issue {
  path: string;
  message: string;
}

function apiError(
  c: Context,
  status: 400 | 401 | 404 | 409 | 412 | 413,
  message: string,
  issues?: Issue[],
) {
  const type = status === 401
    ? "authentication_error"
    : status === 404
    ? "not_found_error"
    : "invalid_request_error";
  return c.json({ type: "error", error: { type, message, ...(issues ? { issues } : {}) } }, status);
}

const pathOf = (path: PropertyKey[]) => path.map(String).join(".");

/** Requires `Authorization: Bearer <ADMIN_TOKEN>` (the page adds a cookie session on top). */
export function requireAdmin(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const match = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i);
    if (!(await deps.adminToken.verify(match?.[1]?.trim()))) {
      return apiError(c, 401, "admin token required: Authorization: Bearer <ADMIN_TOKEN>");
    }
    await next();
  };
}

async function readJson(c: Context): Promise<unknown | Response> {
  try {
    return await c.req.json();
  } catch {
    return apiError(c, 400, "the request body is not valid JSON");
  }
}

const TestSchema = z.object({
  model: z.string().min(1).max(200).optional(),
  apiKey: z.string().min(1).max(4096).optional(),
}).strict();

const AccessKeyCreateSchema = z.object({
  label: z.string().trim().min(1, "label is required").max(100),
}).strict();

/** The only request that gets stored secrets back: an explicit, second confirmation. */
const ExportSecretsSchema = z.object({
  confirm: z.literal("include-secrets", {
    error: 'send {"confirm": "include-secrets"} to export the config with its keys',
  }),
}).strict();

/** Mounts the admin API under /admin/api. */
export function adminApiRoutes(deps: Deps, guard: MiddlewareHandler<AppEnv> = requireAdmin(deps)) {
  const app = new Hono<AppEnv>();
  app.use("/admin/api/*", guard);
  // A config is at most ~60 KiB; nothing an admin sends needs more than this.
  app.use(
    "/admin/api/*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => apiError(c, 413, "the request body is larger than 1 MiB"),
    }),
  );

  app.get("/admin/api/config", (c) => {
    if (deps.live.version) c.header("etag", `"${deps.live.version}"`);
    return c.json(maskConfig(deps.live.config));
  });

  app.put("/admin/api/config", async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    let input: unknown = body;
    if (isLegacyConfig(body)) {
      try {
        input = convertLegacyConfig(body);
      } catch (err) {
        const issues = err instanceof z.ZodError
          ? err.issues.map((i) => ({ path: pathOf(i.path), message: i.message }))
          : undefined;
        return apiError(c, 400, "the claude-code-fallback config is not valid", issues);
      }
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return apiError(c, 400, "the config must be a JSON object with a providers array");
    }
    const unmasked = unmaskKeys(input as z.input<typeof ConfigSchema>, deps.live.config);
    const parsed = ConfigSchema.safeParse(unmasked.config);
    const issues: Issue[] = [
      ...unmasked.errors.map((e) => ({ path: pathOf(e.path), message: e.message })),
      ...(parsed.success
        ? []
        : parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }))),
    ];
    if (!parsed.success || issues.length > 0) {
      return apiError(
        c,
        400,
        `the config is not valid (${issues.length} problem(s)); nothing was changed`,
        issues,
      );
    }
    const ifMatch = c.req.header("if-match")?.replace(/^W\//, "").replace(/"/g, "");
    if (ifMatch && ifMatch !== deps.live.version) {
      return apiError(
        c,
        412,
        "the config changed since you loaded it; reload and apply your edit again",
      );
    }
    const result = await deps.live.replace(parsed.data, deps.live.version);
    if (!result.ok) {
      return result.reason === "too_large"
        ? apiError(c, 413, "the config is larger than a KV value can hold (60 KiB)")
        : apiError(
          c,
          409,
          "the config was changed by someone else at the same time; reload and retry",
        );
    }
    deps.logger.info("config replaced", { providers: parsed.data.providers.length });
    c.header("etag", `"${result.versionstamp}"`);
    return c.json(maskConfig(parsed.data));
  });

  // Export: masked by default (a download); with the stored secrets only on an explicit POST.
  app.get("/admin/api/config/export", (c) => {
    c.header("content-disposition", 'attachment; filename="detour-config.json"');
    c.header("cache-control", "no-store");
    return c.json(maskConfig(deps.live.config));
  });

  app.post("/admin/api/config/export", async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const parsed = ExportSecretsSchema.safeParse(body);
    if (!parsed.success) {
      return apiError(
        c,
        400,
        "exporting stored keys needs an explicit confirmation",
        parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })),
      );
    }
    deps.logger.warn("config exported with its stored keys", { id: c.get("requestId") });
    c.header("content-disposition", 'attachment; filename="detour-config-with-keys.json"');
    c.header("cache-control", "no-store");
    return c.json(deps.live.config);
  });

  app.get("/admin/api/status", async (c) => c.json(await statusReport(deps)));

  app.post("/admin/api/providers/:id/test", async (c) => {
    const id = c.req.param("id");
    if (!deps.live.chain.providers.some((p) => p.provider.id === id)) {
      return apiError(c, 404, `no provider "${id}"`);
    }
    const raw = c.req.header("content-length") === "0" ? {} : await c.req.json().catch(() => ({}));
    const parsed = TestSchema.safeParse(raw);
    if (!parsed.success) {
      return apiError(
        c,
        400,
        "invalid test request",
        parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })),
      );
    }
    return c.json(
      await probeProvider(deps.live.chain, id, { ...parsed.data, send: deps.adapters.send }),
    );
  });

  app.post("/admin/api/providers/:id/reset", async (c) => {
    const p = deps.live.chain.providers.find((p) => p.provider.id === c.req.param("id"));
    if (!p) return apiError(c, 404, `no provider "${c.req.param("id")}"`);
    const prefix = `c:${p.provider.id}:`;
    const targets = [
      p.target,
      ...p.keys.map((k) => k.target),
      ...[...deps.cooldowns.all().keys()].filter((t) => t.startsWith(prefix)),
    ];
    await Promise.all(targets.map((t) => deps.cooldowns.clear(t)));
    return c.json({ cleared: targets.length });
  });

  app.get("/admin/api/access-keys", async (c) => {
    const keys = await listAccessKeys(deps.kv);
    return c.json({ keys: keys.map(({ hash: _hash, ...rest }) => rest) });
  });

  app.post("/admin/api/access-keys", async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const parsed = AccessKeyCreateSchema.safeParse(body);
    if (!parsed.success) {
      return apiError(
        c,
        400,
        "invalid access key request",
        parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })),
      );
    }
    const key = randomToken("dtr_");
    const record = {
      id: crypto.randomUUID(),
      label: parsed.data.label,
      hash: await sha256Hex(key),
      hint: `${key.slice(0, 8)}${"…"}`,
      createdAt: new Date().toISOString(),
    };
    await addAccessKey(deps.kv, record);
    await deps.accessKeys.reload(deps.kv);
    deps.logger.info("access key created", { id: record.id, label: record.label });
    const { hash: _hash, ...shown } = record;
    // The only time the key itself is ever returned.
    return c.json({ ...shown, key }, 201);
  });

  app.delete("/admin/api/access-keys/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await revokeAccessKey(deps.kv, id))) return apiError(c, 404, `no access key "${id}"`);
    await deps.accessKeys.reload(deps.kv);
    deps.logger.info("access key revoked", { id });
    return c.json({ revoked: id });
  });

  return app;
}
