/** The load generator: bounded request loops over keep-alive fetch, timed with performance.now(). */

/** One measured batch of non-streaming requests. */
export interface BatchResult {
  /** Milliseconds from sending the request to having read the whole response body. */
  latencies: number[];
  /** Wall time of the whole batch, for requests per second. */
  elapsedMs: number;
  errors: number;
  firstError?: string;
}

/** One request's target and content; `headers` gets the request index (e.g. a fresh credential). */
export interface RequestSpec {
  url: string;
  body: Uint8Array;
  headers: (i: number) => Headers;
  /** The status a correct answer has (200, or 429 when measuring the rate-limited mock). */
  expectStatus: number;
  /** Extra check on a response; returns a description of what is wrong, or null. */
  check?: (res: Response) => string | null;
}

/** No single request may hang the bench: every loop must end by itself. */
const REQUEST_TIMEOUT_MS = 30_000;

function send(spec: RequestSpec, i: number): Promise<Response> {
  return fetch(spec.url, {
    method: "POST",
    headers: spec.headers(i),
    // A copy per request: the bytes are the same, and fetch may take ownership of the buffer.
    body: spec.body.slice(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

/** Sends `total` requests with `concurrency` in flight (fetch keeps connections alive). */
export async function runBatch(
  spec: RequestSpec,
  total: number,
  concurrency: number,
  firstIndex = 0,
): Promise<BatchResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };
  const worker = async () => {
    while (next < total) {
      const i = firstIndex + next++;
      const started = performance.now();
      try {
        const res = await send(spec, i);
        const body = await res.arrayBuffer();
        const ms = performance.now() - started;
        const problem = res.status !== spec.expectStatus
          ? `HTTP ${res.status}: ${new TextDecoder().decode(body).slice(0, 300)}`
          : spec.check?.(res) ?? null;
        if (problem) fail(problem);
        else latencies.push(ms);
      } catch (err) {
        fail(String(err));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, elapsedMs: performance.now() - started, errors, firstError };
}

/** One measured batch of streamed responses. */
export interface StreamResult {
  /** Milliseconds until the first body chunk arrived. */
  ttfb: number[];
  /** Milliseconds until the stream ended. */
  total: number[];
  /** Body reads per stream: near the event count means chunks were not buffered on the way. */
  chunks: number[];
  errors: number;
  firstError?: string;
}

/** Sends `total` streaming requests, `concurrency` at a time, and times first byte and end. */
export async function runStreams(
  spec: RequestSpec,
  total: number,
  concurrency = 1,
): Promise<StreamResult> {
  const out: StreamResult = { ttfb: [], total: [], chunks: [], errors: 0 };
  const decoder = new TextDecoder();
  let next = 0;
  const one = async (i: number) => {
    const started = performance.now();
    try {
      const res = await send(spec, i);
      if (res.status !== spec.expectStatus || !res.body) {
        throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      }
      const problem = spec.check?.(res);
      if (problem) {
        await res.body.cancel();
        throw new Error(problem);
      }
      let first = NaN;
      let chunks = 0;
      let tail = "";
      for await (const chunk of res.body) {
        if (chunks++ === 0) first = performance.now() - started;
        tail = (tail + decoder.decode(chunk)).slice(-200);
      }
      const ms = performance.now() - started;
      // A stream that did not end with message_stop was cut short: not a valid sample.
      if (!tail.includes("event: message_stop")) throw new Error(`stream ended early: …${tail}`);
      out.ttfb.push(first);
      out.total.push(ms);
      out.chunks.push(chunks);
    } catch (err) {
      out.errors++;
      out.firstError ??= String(err);
    }
  };
  const worker = async () => {
    while (next < total) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
