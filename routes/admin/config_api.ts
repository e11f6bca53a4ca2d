/** GET/PUT /admin/api/config and the config export (masked, or with keys on confirmation). */
import { selfLoopIssues } from "../../lib/fallback/hop.ts";
import type { Hono } from "hono";
import * as z from "zod";
import { convertLegacyConfig, isLegacyConfig } from "../../lib/config/legacy.ts";
import { maskConfig, unmaskKeys } from "../../lib/config/mask.ts";
import { ConfigSchema } from "../../lib/config/schema.ts";
import { configIssues } from "../../lib/config/issues.ts";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { apiError, type Issue, pathOf, readJson } from "./api_errors.ts";

/** The only request that gets stored secrets back: an explicit, second confirmation. */
const ExportSecretsSchema = z.object({
  confirm: z.literal("include-secrets", {
    error: 'send {"confirm": "include-secrets"} to export the config with its keys',
  }),
}).strict();

/** Reading and replacing the config. */
export function configRoutes(app: Hono<AppEnv>, deps: Deps): void {
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
      ...(parsed.success ? [] : configIssues(parsed.error)),
    ];
    if (!parsed.success || issues.length > 0) {
      return apiError(
        c,
        400,
        `the config is not valid (${issues.length} problem(s)); nothing was changed`,
        issues,
      );
    }
    // A provider pointing at Detour's own address would loop.
    const loops = selfLoopIssues(parsed.data.providers, deps.listenPort);
    if (loops.length > 0) {
      return apiError(c, 400, "a provider's baseUrl points at Detour itself", loops);
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
}

/** Exporting the config. */
export function configExportRoutes(app: Hono<AppEnv>, deps: Deps): void {
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
}
