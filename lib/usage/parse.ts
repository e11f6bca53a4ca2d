/**
 * Token usage read from an answer as it passes, without parsing the whole body: a stream's
 * `message_start` (in the head the engine already peeked) and its final `message_delta` (in the
 * tail the stream guard already keeps); a JSON answer's `usage` object from its last bytes.
 */

/** Tokens of one answer, Anthropic's four kinds, plus the model that answered. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** The `model` the upstream named in its answer, when it did. */
  model: string | null;
}

const latin1 = new TextDecoder("latin1");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);

/** Merges an Anthropic `usage` object into `u` (fields it lacks keep their value). */
function mergeUsage(u: Usage, raw: unknown): boolean {
  if (typeof raw !== "object" || raw === null) return false;
  const o = raw as Record<string, unknown>;
  let any = false;
  const take = (field: keyof Omit<Usage, "model">, v: unknown) => {
    const n = num(v);
    if (n !== null) {
      u[field] = n;
      any = true;
    }
  };
  take("input", o.input_tokens);
  take("output", o.output_tokens);
  take("cacheRead", o.cache_read_input_tokens);
  take("cacheWrite", o.cache_creation_input_tokens);
  return any;
}

const empty = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, model: null });

/**
 * The `data:` JSON of the complete SSE event `block` when its type is `type`, else null. A block
 * that does not contain the name is passed over before it is split: a stream's head can be
 * hundreds of pings, its tail a dozen deltas, and only one event of each is wanted.
 */
function eventIn(block: string, type: string): Record<string, unknown> | null {
  if (!block.includes(type)) return null;
  const data = block.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) =>
    l.slice(5).trim()
  ).join("");
  if (!data || /"type"\s*:\s*"([a-z_]+)"/.exec(data)?.[1] !== type) return null;
  try {
    const parsed = JSON.parse(data);
    if (typeof parsed === "object" && parsed !== null && parsed.type === type) return parsed;
  } catch { /* cut at the front of the tail */ }
  return null;
}

const BLANK_LINE = /\r?\n\r?\n/;

/**
 * Usage of an Anthropic SSE stream from its first chunks (holding `message_start`) and its last
 * bytes (holding the final `message_delta`, whose counts are cumulative and win).
 */
export function usageFromSse(head: Uint8Array[], tail: string): Usage | null {
  const u = empty();
  let found = false;
  // The head is only the first events (up to the first content event): small.
  const headText = head.map((c) => latin1.decode(c)).join("");
  for (const block of headText.split(BLANK_LINE)) {
    const ev = eventIn(block, "message_start");
    if (!ev) continue;
    const message = ev.message as Record<string, unknown> | undefined;
    if (typeof message?.model === "string") u.model = message.model;
    found = mergeUsage(u, message?.usage) || found;
  }
  // Only the last message_delta counts: read the tail's blocks from the end.
  const blocks = tail.split(BLANK_LINE);
  for (let i = blocks.length - 1; i >= 0; i--) {
    const delta = eventIn(blocks[i], "message_delta");
    if (!delta) continue;
    found = mergeUsage(u, delta.usage) || found;
    break;
  }
  return found ? u : null;
}

/** The JSON object that starts at `text[start]` (a `{`), by brace matching; null if cut. */
function objectAt(text: string, start: number): string | null {
  let depth = 0, inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

/**
 * Usage of a JSON Messages answer from its first and last bytes: `usage` is its last field (so
 * in the tail) and `model` comes early (so in the head); a short body is whole in `head`.
 */
export function usageFromJson(head: string, tail: string): Usage | null {
  const u = empty();
  let found = false;
  for (const text of [tail, head]) {
    const at = text.lastIndexOf('"usage"');
    if (at < 0) continue;
    const brace = text.indexOf("{", at);
    const obj = brace >= 0 ? objectAt(text, brace) : null;
    if (!obj) continue;
    try {
      found = mergeUsage(u, JSON.parse(obj));
    } catch { /* not the usage object after all */ }
    if (found) break;
  }
  const model = /"model"\s*:\s*"([^"\\]{1,200})"/.exec(head);
  if (model) u.model = model[1];
  return found ? u : null;
}

/** Bytes a JSON tap keeps from each end of a body. */
const KEEP = 4096;

/** The first and last few KiB of a whole JSON body, as `tapBody` would have kept them. */
export function jsonEnds(body: Uint8Array): { head: string; tail: string } {
  return {
    head: latin1.decode(body.subarray(0, KEEP)),
    tail: latin1.decode(body.subarray(Math.max(0, body.byteLength - KEEP))),
  };
}

/**
 * Relays `body` unchanged, keeping only its first and last few KiB; `onEnd` gets them (as
 * latin1 text, enough for ASCII fields) once the body has been sent, or `null` if it broke.
 */
export function tapBody(
  body: ReadableStream<Uint8Array>,
  onEnd: (ends: { head: string; tail: string } | null) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let head = "";
  let tail = "";
  let ended = false;
  const finish = (ends: { head: string; tail: string } | null) => {
    if (ended) return;
    ended = true;
    onEnd(ends);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          finish({ head, tail });
          return;
        }
        if (head.length < KEEP) head += latin1.decode(value.subarray(0, KEEP - head.length));
        const from = Math.max(0, value.byteLength - KEEP);
        tail = (tail + latin1.decode(value.subarray(from))).slice(-KEEP);
        controller.enqueue(value);
      } catch (err) {
        finish(null);
        controller.error(err);
      }
    },
    cancel(reason) {
      finish(null);
      return reader.cancel(reason).catch(() => {});
    },
  });
}

/** Every token of an answer, as quotas count them. */
export const totalTokens = (u: Usage | null | undefined) =>
  u ? u.input + u.output + u.cacheRead + u.cacheWrite : 0;
