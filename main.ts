/** Detour's entry point: `deno task start` locally, the same file on Deno Deploy. */
import { readEnv, shutdownGraceMs } from "./lib/config/env.ts";
import { openKv } from "./lib/open_kv.ts";

const env = readEnv();
// Opening the KV file (~30 ms, mostly off the main thread) runs while the app's modules are
// imported, instead of after them (cold start, docs/performance.md).
const opening = openKv(env);
opening.catch(() => {}); // awaited below; not an unhandled rejection while the imports run
const [{ buildApp }, { boot }, { drainOnSignals }, { listen }] = await Promise.all([
  import("./lib/app.ts"),
  import("./lib/boot.ts"),
  import("./lib/server/drain.ts"),
  import("./lib/server/listen.ts"),
]);
const kv = await opening;
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
