/** The Markdown for the concurrency-scale and cold-start phases. */
import type { ColdStart } from "./cold_start.ts";
import type { ScaleFigures, ScaleResult, ScaleTarget } from "./scale.ts";
import type { Summary } from "./stats.ts";

const NAMES: Record<ScaleTarget, string> = {
  detour: "Detour",
  minimal: "minimal proxy",
  buffering: "buffering proxy",
  relaying: "relaying proxy",
};
const ORDER: ScaleTarget[] = ["detour", "minimal", "buffering", "relaying"];

const mb = (kb: number | null) => kb === null ? "n/a" : `${(kb / 1024).toFixed(0)} MB`;
const kb = (n: number | null) => n === null ? "n/a" : `${n.toFixed(0)} kB`;
const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || b <= 0 ? "n/a" : `${(a / b).toFixed(2)}×`;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** (RSS with every stream open − baseline) / open streams. */
function steady(f: ScaleFigures): number | null {
  return f.allOpenKb === null || f.baselineKb === null || f.open === 0
    ? null
    : (f.allOpenKb - f.baselineKb) / f.open;
}

/** Detour's memory and CPU per stream against the relaying proxy's (a wave run before it had none). */
function relayingRatios(detour: ScaleFigures, relaying: ScaleFigures | undefined): string {
  if (!relaying) return "n/a";
  return `${ratio(detour.perStreamKb, relaying.perStreamKb)}, ${
    ratio(detour.cpuPerStreamMs, relaying.cpuPerStreamMs)
  }`;
}

/** Memory per open stream, per wave and target, with Detour's ratio to the buffering proxy. */
export function renderScale(results: ScaleResult[]): string {
  const rows = results.flatMap(({ variant, targets }) =>
    ORDER.map((t) => {
      const f = targets[t];
      return [
        variant.name,
        NAMES[t],
        `${f.open} / ${variant.streams}${f.errors ? ` (${f.errors} failed)` : ""}`,
        mb(f.baselineKb),
        mb(f.peakKb),
        kb(f.perStreamKb),
        kb(steady(f)),
        f.cpuPerStreamMs === null ? "n/a" : `${f.cpuPerStreamMs.toFixed(2)} ms`,
        t === "buffering" ? "" : ratio(f.perStreamKb, targets.buffering.perStreamKb),
        t === "minimal" ? "" : ratio(f.cpuPerStreamMs, targets.minimal.cpuPerStreamMs),
        t === "detour" ? relayingRatios(f, targets.relaying) : "",
      ];
    })
  );
  return table(
    [
      "wave",
      "target",
      "open at once",
      "RSS before",
      "peak RSS",
      "per open stream",
      "… all open",
      "CPU per stream",
      "memory ÷ buffering",
      "CPU ÷ minimal",
      "Detour ÷ relaying (memory, CPU)",
    ],
    rows,
  );
}

/** Process start to the first /health 200, and the module graph's import time. */
export function renderColdStart(c: ColdStart): string {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const row = (label: string, s: Summary) => [label, ms(s.p50), ms(s.min), ms(s.max)];
  return table(["start", "p50", "min", "max"], [
    row("Detour (the bundle deno task start runs): process start → first /health 200", c.detour),
    row("Detour from source (main.ts, as Deno Deploy runs it): the same", c.source),
    row(
      "floor of the rules (front listener, KV file, zod-checked config; bundled): the same",
      c.floor,
    ),
    row("hello-world Deno.serve: the same", c.hello),
    row("Detour from source: importing its boot-time module graph", c.importGraph),
  ]) +
    `\n\nDetour's bundle ÷ the floor of the rules (p50): ${
      (c.detour.p50 / c.floor.p50).toFixed(2)
    }×; the target (100 ms) ÷ the floor: ${(100 / c.floor.p50).toFixed(2)}×.`;
}

/** Problems the scale waves ran into (failed streams), for the report's list. */
export function scaleProblems(results: ScaleResult[]): string[] {
  return results.flatMap(({ variant, targets }) =>
    ORDER.filter((t) => targets[t].errors > 0).map((t) =>
      `scale ${variant.name}, ${NAMES[t]}: ${targets[t].errors} failed streams; first: ${
        targets[t].firstError
      }`
    )
  );
}
