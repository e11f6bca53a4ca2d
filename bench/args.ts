/** Tiny `--name=value` argument reader for the bench's subprocesses (no dependencies). */

/** Reads `--name=value` from `args`, or `fallback` when absent. */
export function arg(args: readonly string[], name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const hit = args.find((a) => a.startsWith(prefix));
  return hit === undefined ? fallback : hit.slice(prefix.length);
}

/** Reads a numeric `--name=value`, failing loudly on a typo rather than benchmarking NaN. */
export function numArg(args: readonly string[], name: string, fallback: number): number {
  const value = Number(arg(args, name, String(fallback)));
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number`);
  return value;
}
