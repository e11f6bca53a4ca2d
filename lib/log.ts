/**
 * Structured logs: one JSON object per line by default; a readable, coloured line per event when
 * stdout is a terminal (or `LOG_FORMAT=pretty`). Never pass a secret in.
 */

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFormat = "json" | "pretty";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** A structured logger bound to a minimum level. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** `LOG_FORMAT` when set, else pretty on a terminal and JSON lines anywhere else. */
export function resolveLogFormat(
  explicit: LogFormat | undefined,
  isTerminal: () => boolean = () => Deno.stdout.isTerminal(),
): LogFormat {
  if (explicit) return explicit;
  try {
    return isTerminal() ? "pretty" : "json";
  } catch {
    return "json"; // no stdout (or no permission to ask): the safe default
  }
}

const COLOR: Record<Exclude<LogLevel, "silent">, string> = {
  debug: "\x1b[90m",
  info: "\x1b[36m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
};
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

function prettyValue(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(String(v));
  return JSON.stringify(v) ?? String(v);
}

/** `12:04:05.123 INFO  request id=… status=200`, coloured unless `color` is false. */
export function formatPretty(
  time: Date,
  level: Exclude<LogLevel, "silent">,
  msg: string,
  fields: Record<string, unknown> | undefined,
  color = true,
): string {
  const clock = time.toISOString().slice(11, 23);
  const tag = level.toUpperCase().padEnd(5);
  const rest = Object.entries(fields ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => color ? `${DIM}${k}=${RESET}${prettyValue(v)}` : `${k}=${prettyValue(v)}`)
    .join(" ");
  const head = color
    ? `${DIM}${clock}${RESET} ${COLOR[level]}${tag}${RESET} ${msg}`
    : `${clock} ${tag} ${msg}`;
  return rest ? `${head} ${rest}` : head;
}

/** Creates a logger writing at or above `level`, as JSON lines or pretty lines. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = console.log,
  format: LogFormat = "json",
  /** Pretty lines only: ANSI colours (off when NO_COLOR is set). */
  color = format === "pretty" && !noColor(),
  /**
   * Applied to every finished line, the last line of defence against a stored secret
   * reaching the log (boot passes the live config's secret set).
   */
  redact: (line: string) => string = (line) => line,
): Logger {
  const at =
    (l: Exclude<LogLevel, "silent">) => (msg: string, fields?: Record<string, unknown>) => {
      if (RANK[l] < RANK[level]) return;
      const time = new Date();
      write(redact(
        format === "pretty"
          ? formatPretty(time, l, msg, fields, color)
          : JSON.stringify({ time: time.toISOString(), level: l, msg, ...fields }),
      ));
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

function noColor(): boolean {
  try {
    return (Deno.env.get("NO_COLOR") ?? "") !== "";
  } catch {
    return false;
  }
}
