/**
 * The cold-start baseline: a hello-world `Deno.serve` that answers GET /health, run as its own
 * process.
 *
 *   deno run --allow-net bench/hello_server.ts --port=8004
 */
import { numArg } from "./args.ts";

const port = numArg(Deno.args, "port", 0);
Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => new Response("ok"));
