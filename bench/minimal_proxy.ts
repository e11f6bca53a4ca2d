/**
 * The baseline: the least a Deno pass-through proxy can do. Run as its own process.
 *
 *   deno run --allow-net bench/minimal_proxy.ts --port=8002 --upstream=http://127.0.0.1:8001
 *
 * Forwards method, path + query, headers (minus host) and body with fetch and returns the
 * upstream Response as is. Detour's overhead is judged against this, not against zero.
 */
import { arg, numArg } from "./args.ts";

const port = numArg(Deno.args, "port", 0);
const upstream = arg(Deno.args, "upstream", "");
if (!upstream) throw new Error("--upstream=URL is required");

Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (req) => {
  const url = new URL(req.url);
  const headers = new Headers(req.headers);
  headers.delete("host");
  return fetch(upstream + url.pathname + url.search, {
    method: req.method,
    headers,
    body: req.body,
    signal: req.signal,
  });
});
