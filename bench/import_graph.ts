/**
 * Prints how long importing Detour's boot-time module graph takes (milliseconds, one number):
 * what main.ts imports before it can listen. Run as a fresh process by the cold-start phase.
 */
const started = performance.now();
await import("../lib/config/env.ts");
await import("../lib/app.ts");
await import("../lib/boot.ts");
await import("../lib/server/drain.ts");
await import("../lib/server/listen.ts");
console.log((performance.now() - started).toFixed(2));
