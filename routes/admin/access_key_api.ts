/** GET/POST /admin/api/access-keys and DELETE /admin/api/access-keys/:id. */
import type { Hono } from "hono";
import * as z from "zod";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { addAccessKey, listAccessKeys, revokeAccessKey } from "../../lib/store/access_key_store.ts";
import { apiError, pathOf, readJson } from "./api_errors.ts";

const AccessKeyCreateSchema = z.object({
  label: z.string().trim().min(1, "label is required").max(100),
}).strict();

/** Listing, creating and revoking proxy access keys. */
export function accessKeyRoutes(app: Hono<AppEnv>, deps: Deps): void {
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
}
