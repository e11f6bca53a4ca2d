/** GET /v1/models: what the chain can serve, in Anthropic's list format. */
import { Hono } from "hono";
import { resolveClient } from "../../lib/auth/client.ts";
import { type AppEnv, type Deps, remoteHost } from "../../lib/deps.ts";
import { modelMapNames } from "../../lib/fallback/model_map.ts";
import { planAttempts } from "../../lib/fallback/plan.ts";
import { anthropicError } from "../../lib/http/errors.ts";
import { listPage } from "../../lib/http/list_page.ts";
import type { ListedModel, ProviderAdapter } from "../../lib/providers/types.ts";

const LIST_TIMEOUT_MS = 5000;

/**
 * OpenAI clients get OpenAI's list format: `?format=openai|anthropic` decides when given;
 * otherwise a request without `anthropic-version` that authenticates with
 * `Authorization: Bearer` (as the OpenAI SDKs do) is an OpenAI client. Anthropic clients,
 * Claude Code included, always send `anthropic-version`.
 */
export function wantsOpenAIList(req: Request): boolean {
  const format = new URL(req.url).searchParams.get("format");
  if (format === "openai" || format === "anthropic") return format === "openai";
  if (req.headers.has("anthropic-version")) return false;
  return /^Bearer\s/i.test(req.headers.get("authorization") ?? "");
}

/** The models a listing provider contributes: its upstream's entries, or just their ids. */
function upstreamEntries(
  adapter: ProviderAdapter,
  ...args: Parameters<NonNullable<ProviderAdapter["listModels"]>>
): Promise<ListedModel[]> {
  if (adapter.listModelEntries) return adapter.listModelEntries(...args);
  return (adapter.listModels?.(...args) ?? Promise.resolve([]))
    .then((ids) => ids.map((id) => ({ id })));
}

/** Mounts the model list. */
export function modelsRoutes(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/v1/models", async (c) => {
    const client = await resolveClient(
      c.req.raw.headers,
      remoteHost(c.env),
      deps.accessKeys,
      deps.live.config,
    );
    const chain = deps.live.chain;
    // One credential per provider the caller may use, found the same way requests find theirs.
    const usable = planAttempts(chain, "*", client, deps.cooldowns, Date.now());
    const perProvider = new Map(usable.attempts.map((a) => [a.provider.id, a]));
    const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]);

    const lists = await Promise.all(chain.providers.map(async (p) => {
      // Only what this caller could use: its own credential for passthrough providers, an
      // authorised client for stored-key ones (their names are not everyone's business).
      const usableByCaller = p.provider.passthrough
        ? client.credential !== null
        : client.authorized;
      if (!p.provider.enabled || !usableByCaller) {
        return { id: p.provider.id, models: [] as ListedModel[] };
      }
      const models: ListedModel[] = modelMapNames(p.provider.modelMap).map((id) => ({ id }));
      const attempt = perProvider.get(p.provider.id);
      // Only a provider that passes names through can serve its upstream names as they are.
      if (attempt && Object.keys(p.provider.modelMap).length === 0) {
        const upstream = await upstreamEntries(
          await deps.adapters.adapterFor(p.provider),
          p.provider,
          attempt.credential,
          c.req.raw.headers,
          signal,
        ).catch(() => [] as ListedModel[]);
        models.push(...upstream);
      }
      return { id: p.provider.id, models };
    }));

    const seen = new Set<string>();
    const data = [];
    const contributors: string[] = [];
    for (const { id, models } of lists) {
      if (models.length > 0) contributors.push(id);
      for (const m of models) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        data.push({
          type: "model",
          id: m.id,
          // Claude Code's picker shows it: the upstream's name where it gives one.
          display_name: m.display_name ?? m.id,
          created_at: m.created_at ?? "1970-01-01T00:00:00Z",
        });
      }
    }
    c.header("x-detour-provider", contributors.join(",") || "none");
    if (wantsOpenAIList(c.req.raw)) {
      return c.json({
        object: "list",
        data: data.map((m) => ({ id: m.id, object: "model", created: 0, owned_by: "detour" })),
      });
    }
    const page = listPage(data, new URL(c.req.url).searchParams);
    if ("error" in page) return anthropicError(400, page.error);
    return c.json(page);
  });
  return app;
}
