/**
 * One HTTP call to an upstream channel, with a first-byte timeout and cancellation when the
 * client goes away or the request deadline passes. The response body is not read here: it streams,
 * decoded and capped (content-coding.ts).
 */
import type { AbortSource } from '../lib/abort';
import { RAW_UPSTREAM_BODIES, UPSTREAM_ACCEPT_ENCODING, decodeUpstreamBody, readErrorMessage, tooLarge } from './content-coding';

export interface UpstreamCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Abandon the attempt when no response headers arrive within this many ms. */
  firstByteTimeoutMs: number;
  /** Aborted when the client disconnects or the request deadline passes; also cancels a body in flight. */
  signal: AbortSource;
  /**
   * The outbound proxy, a full URL with credentials (lib/proxy.ts); absent for a direct call. Only
   * the Node transport sends through one (Platform.outboundProxy); the fetch transport never gets one.
   */
  proxy?: string;
}

/**
 * An upstream reply as the relay reads it: the parts of a fetch `Response` it uses (a `Response`
 * is one). The Node transport (node/upstream-agent.ts) gives its own, backed by a Node stream.
 */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** The decoded body; null for none. */
  readonly body: ReadableStream<Uint8Array> | null;
  /**
   * Optional fast path of {@link readWholeBody}: the whole decoded body as text, with the same
   * idle limit (ms), size cap (bytes) and errors (BodyReadError).
   */
  readText?(idleMs: number, maxBytes: number): Promise<string>;
  /**
   * Optional fast path for a stream read chunk by chunk (relay/prime.ts): the decoded body through
   * a reader of its own instead of `body.getReader()`. Same chunks, errors and backpressure.
   */
  reader?(): ChunkReader;
}

/**
 * What the stream readers use of a `ReadableStreamDefaultReader` (one is a ChunkReader): the next
 * chunk, and cancelling the rest (closes the upstream connection).
 */
export interface ChunkReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason?: unknown): Promise<void>;
}

export type UpstreamResult =
  | { kind: 'response'; response: UpstreamResponse }
  | { kind: 'network'; error: string; timedOut: boolean };

/** Sends one upstream call; never throws (see {@link callUpstream}, the runtime's fetch). */
export type UpstreamCaller = (call: UpstreamCall) => Promise<UpstreamResult>;

/**
 * One attempt's abort wiring, the same for every transport: the attempt is aborted when the
 * request's signal aborts (client gone, deadline passed; also while the body streams) or when no
 * response headers arrive within the first-byte timeout.
 */
export interface AttemptGuard {
  /** The first-byte timer fired (the attempt was aborted for it). */
  readonly timedOut: boolean;
  /**
   * Headers arrived (`failed` false: the request's signal keeps aborting the attempt, so a client
   * that leaves mid-body still cancels it) or the call failed (`failed` true: stops listening too).
   */
  settle(failed: boolean): void;
}

/**
 * Arms an attempt: `abort(reason)` is called at most as often as the sources fire (the caller's
 * abort source ignores repeats). @param firstByteTimeoutMs ms until headers must have arrived
 */
export function armAttempt(outer: AbortSource, abort: (reason: unknown) => void, firstByteTimeoutMs: number): AttemptGuard {
  const onOuterAbort = () => abort(outer.reason);
  if (outer.aborted) abort(outer.reason);
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  const guard = {
    timedOut: false,
    settle(failed: boolean) {
      clearTimeout(timer);
      if (failed) outer.removeEventListener('abort', onOuterAbort);
    },
  };
  const timer = setTimeout(() => {
    guard.timedOut = true;
    abort(new Error('first-byte timeout'));
  }, firstByteTimeoutMs);
  return guard;
}

/** The `network` result of a call that threw: a timeout names the first-byte limit. */
export function networkFailure(guard: AttemptGuard, call: UpstreamCall, err: unknown, describe: (err: unknown) => string = describeError): UpstreamResult {
  return { kind: 'network', error: guard.timedOut ? `no response within ${call.firstByteTimeoutMs} ms` : describe(err), timedOut: guard.timedOut };
}

/**
 * Sends the call. Never throws: network failures and timeouts come back as `{ kind: 'network' }`.
 * The first-byte timer stops once headers arrive, so a long stream is not cut by it.
 */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamResult> {
  const attempt = new AbortController();
  const guard = armAttempt(call.signal, (reason) => attempt.abort(reason), call.firstByteTimeoutMs);
  try {
    // Redirects are not followed: a 302 would turn the POST into a GET and drop the body. A 3xx is
    // then a channel fault (a misconfigured base URL), reported with its status.
    const headers = outboundHeaders(call.headers);
    const init: RequestInit & { encodeResponseBody?: 'manual' } = { method: call.method, headers, body: call.body, signal: attempt.signal, redirect: 'manual' };
    if (RAW_UPSTREAM_BODIES) init.encodeResponseBody = 'manual';
    const response = await fetch(call.url, init);
    guard.settle(false);
    return { kind: 'response', response: decodeUpstreamBody(response) };
  } catch (err) {
    guard.settle(true);
    return networkFailure(guard, call, err);
  }
}

/**
 * A call's headers as sent: only codings the gateway decodes are asked for (`accept-encoding:
 * gzip, deflate`, content-coding.ts); a channel's own accept-encoding is replaced.
 */
export function outboundHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== 'accept-encoding') out[name] = value;
  out['accept-encoding'] = UPSTREAM_ACCEPT_ENCODING;
  return out;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Longest wait for a whole error body, ms. An error body is small and sent with its headers; an
 * upstream that stalls or trickles one (a space every 100 ms) would otherwise hold the request, and
 * its failover, until the request deadline (10 minutes by default), since no idle limit applies here.
 */
export const ERROR_BODY_WAIT_MS = 10_000;

/**
 * Reads at most `limit` bytes of an error body as text (error bodies are small; a hostile one is cut).
 * @param waitMs longest wait for the whole body, ms; what arrived by then is kept.
 */
export async function readErrorBody(res: UpstreamResponse, limit = 64 * 1024, waitMs = ERROR_BODY_WAIT_MS): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Cancelling the reader ends a pending read() with done (Streams: ReadableStreamCancel).
  const timer = setTimeout(() => reader.cancel().catch(() => {}), waitMs);
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A reset mid-body still leaves what arrived.
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(Math.min(size, limit));
  let off = 0;
  for (const c of chunks) {
    const take = Math.min(c.byteLength, all.length - off);
    all.set(c.subarray(0, take), off);
    off += take;
  }
  return new TextDecoder().decode(all);
}

/** Thrown by readWholeBody: the body broke off, stalled, or was larger than allowed. */
export class BodyReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyReadError';
  }
}

/**
 * Reads a complete (non-stream) upstream body as text, with the group's idle limit between chunks
 * and a size cap, so a reset, a stall or a hostile answer fails this attempt (and the next member
 * is tried) instead of hanging or exhausting memory.
 * @param idleMs longest wait for the next chunk, ms. @param maxBytes largest accepted body after
 * decoding, bytes (the group's maxInflatedBytes).
 * @throws BodyReadError
 */
export async function readWholeBody(res: UpstreamResponse, idleMs: number, maxBytes: number): Promise<string> {
  if (res.readText) return res.readText(idleMs, maxBytes);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BodyReadError(`the upstream sent nothing for ${idleMs} ms in the middle of its answer`)), idleMs);
      });
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await Promise.race([reader.read(), idle]);
      } finally {
        clearTimeout(timer);
      }
      if (step.done) return text + decoder.decode();
      size += step.value.byteLength;
      if (size > maxBytes) throw new BodyReadError(tooLarge(maxBytes, res.headers.get('content-encoding')).message);
      text += decoder.decode(step.value, { stream: true });
    }
  } catch (err) {
    reader.cancel().catch(() => {});
    if (err instanceof BodyReadError) throw err;
    const known = readErrorMessage(err, res.headers.get('content-encoding'));
    if (known) throw new BodyReadError(known);
    throw new BodyReadError(`the upstream connection failed in the middle of its answer: ${err instanceof Error ? err.message : String(err)}`);
  }
}
