/**
 * GET /admin/api/providers/:id/identity: who a Bedrock or Vertex provider signs in as (account
 * and ARN, or the service account's or user's e-mail), and with what; never a secret.
 */
import type { Hono } from "hono";
import type { AppEnv, Deps } from "../../lib/deps.ts";
import { redactSecrets } from "../../lib/http/redact.ts";
import { apiError } from "./api_errors.ts";

/** The identity lookup of cloud providers. */
export function identityRoutes(app: Hono<AppEnv>, deps: Deps): void {
  app.get("/admin/api/providers/:id/identity", async (c) => {
    const id = c.req.param("id");
    const provider = deps.live.config.providers.find((p) => p.id === id);
    if (!provider) return apiError(c, 404, `no provider "${id}"`);
    if (provider.type !== "bedrock" && provider.type !== "vertex") {
      return apiError(c, 400, `provider "${id}" is not a Bedrock or Vertex provider`);
    }
    const found = await deps.adapters.identity(provider);
    // An error text may quote what a cloud or a credentials file said: scrub it.
    if (found.error) found.error = deps.live.secrets.redact(redactSecrets(found.error));
    return c.json({ provider: id, ...found });
  });
}
