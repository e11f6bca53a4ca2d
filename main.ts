/**
 * Detour's entry point: Deno Deploy runs this file; `deno task start` runs its bundle
 * (`deno task build:server` writes build/server/main.js: one file and a chunk per lazily loaded
 * part instead of ~140 modules, which starts faster; docs/performance.md, "Cold start").
 */
import { buildApp } from "./lib/app.ts";
import { boot, openKv } from "./lib/boot.ts";
import { readEnv, shutdownGraceMs } from "./lib/config/env.ts";
import { drainOnSignals } from "./lib/server/drain.ts";
import { listen } from "./lib/server/listen.ts";

const env = readEnv();
const kv = await openKv(env);
const deps = await boot(env, kv, (token) => {
  // Printed once, to the terminal only: it is never stored or shown again.
  console.log(
    `\nDetour generated an admin token (shown only now; set ADMIN_TOKEN to choose your own):\n\n  ${token}\n`,
  );
});
const app = buildApp(deps);

const serving = listen({
  port: env.PORT,
  hostname: env.HOSTNAME,
  deploy: env.DENO_DEPLOYMENT_ID !== undefined,
  direct: env.FRONT_LISTENER === "off",
  limits: {
    headersMs: env.HEADERS_TIMEOUT_MS,
    bodyMs: env.BODY_TIMEOUT_MS,
    idleMs: env.IDLE_TIMEOUT_MS,
  },
  maxConnections: env.MAX_CONNECTIONS,
  logger: deps.logger,
  onListen({ hostname, port }, maxConnections) {
    deps.listenPort = port; // the real port (PORT=0 picks one): a baseUrl pointing here loops
    const host = hostname === "0.0.0.0" ? "localhost" : hostname;
    deps.logger.info("listening", {
      url: `http://${host}:${port}`,
      admin: `http://${host}:${port}/admin`,
      providers: deps.live.config.providers.length,
      ...(maxConnections === null ? {} : { maxConnections }),
    });
  },
}, (req, info) => app.fetch(req, info));

drainOnSignals({
  serving,
  graceMs: shutdownGraceMs(env),
  endStreams: deps.endStreams,
  flush: deps.close,
  logger: deps.logger,
});
