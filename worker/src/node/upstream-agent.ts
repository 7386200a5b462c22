/**
 * Upstream calls on Node through undici's `request` on one keep-alive Agent, instead of the global
 * `fetch`. Same contract as relay/upstream.ts `callUpstream` (never throws; a network failure or
 * first-byte timeout comes back as `{ kind: 'network' }`), but without fetch's per-call Request,
 * Response, AbortController and web-stream machinery: a profile of the Node gateway under load
 * (`npm run bench:e2e -- --profile 10`) put about a quarter of its CPU in undici's fetch layer and
 * Node's web streams (issue 11).
 *
 * What differs from fetch, and is done here instead:
 * - undici's `request` does not decode content codings: gzip and deflate (the only ones asked for,
 *   content-coding.ts) are decoded with node:zlib streams; any other coding fails the first read
 *   with UpstreamBodyError, as on workerd.
 * - Redirects are not followed (no redirect interceptor), as with `redirect: 'manual'`.
 * - The reply's body is a Node stream: `readText` reads a whole answer from it directly (one idle
 *   timer, refreshed per chunk); `body` wraps it in a web ReadableStream, created on first use,
 *   for the stream readers (prime.ts, pipeline.ts) and error bodies.
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { Agent } from 'undici';
import { ProxyDispatchers } from './proxy-dispatchers';
import { formatFor, readErrorMessage, tooLarge, unsupportedCoding } from '../relay/content-coding';
import { armAttempt, BodyReadError, networkFailure, outboundHeaders, type ChunkReader, type UpstreamCall, type UpstreamResponse, type UpstreamResult } from '../relay/upstream';

/**
 * The abort source of one attempt: the request's deadline signal or the first-byte timer. undici
 * accepts an EventEmitter with `aborted` (lib/api/abort-signal.js), which is cheaper than an
 * AbortController per attempt.
 */
class AttemptSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/** Headers of an undici reply (lower-case names; repeated headers as arrays), read like `Headers`. */
class ReplyHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }
}

/** An upstream reply whose body is a Node stream (decoded). */
class NodeUpstreamResponse implements UpstreamResponse {
  readonly headers: ReplyHeaders;
  private web: ReadableStream<Uint8Array> | null = null;
  private taken = false;

  constructor(readonly status: number, headers: ReplyHeaders, private readonly stream: Readable) {
    this.headers = headers;
    // A reset before anyone reads the body must not be an unhandled 'error' (a process crash);
    // readers check `errored` when they start.
    stream.on('error', () => {});
  }

  /** The decoded body as a web stream, for the stream readers. Cancelling it closes the connection. */
  get body(): ReadableStream<Uint8Array> {
    if (this.web) return this.web;
    this.taken = true;
    const src = this.stream;
    let finished = false;
    this.web = new ReadableStream<Uint8Array>({
      start(controller) {
        if (src.errored) {
          finished = true;
          controller.error(src.errored);
          return;
        }
        src.on('data', (chunk: Buffer) => {
          if (finished) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          // Backpressure: stop reading the socket until the consumer pulls again.
          if ((controller.desiredSize ?? 0) <= 0) src.pause();
        });
        src.once('end', () => {
          if (finished) return;
          finished = true;
          controller.close();
        });
        src.once('error', (err) => {
          if (finished) return;
          finished = true;
          controller.error(err);
        });
        src.pause();
      },
      pull() {
        src.resume();
      },
      cancel() {
        finished = true;
        src.destroy();
      },
    }, { highWaterMark: 1 });
    return this.web;
  }

  /**
   * The decoded body read chunk by chunk straight from the Node stream, for the stream readers
   * (prime.ts, pipeline.ts): the web ReadableStream of `body` put a second web stream (its
   * construction, an enqueue and a pull promise per chunk) on every chunk of a relayed stream.
   * Backpressure as before: the stream is in paused mode and the socket is read only as far as its
   * buffer (highWaterMark) while nobody calls `read()`.
   */
  reader(): ChunkReader {
    if (this.taken) throw new BodyReadError('the upstream body was already read');
    this.taken = true;
    return new NodeChunkReader(this.stream);
  }

  /**
   * Reads the whole decoded body as UTF-8 text (a leading BOM dropped, as TextDecoder does).
   * @param idleMs longest wait for the next chunk, ms. @param maxBytes largest decoded size, bytes.
   * @throws BodyReadError on a stall, a reset, a body over `maxBytes`, or one that does not decode.
   */
  readText(idleMs: number, maxBytes: number): Promise<string> {
    if (this.taken) return Promise.reject(new BodyReadError('the upstream body was already read'));
    this.taken = true;
    const src = this.stream;
    const coding = this.headers.get('content-encoding');
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (err: BodyReadError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        src.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new BodyReadError(`the upstream sent nothing for ${idleMs} ms in the middle of its answer`)), idleMs);
      src.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.byteLength;
        if (size > maxBytes) return fail(new BodyReadError(tooLarge(maxBytes, coding).message));
        chunks.push(chunk);
        timer.refresh();
      });
      src.once('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks, size).toString('utf8');
        resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      });
      const onError = (err: unknown) => {
        const known = readErrorMessage(err, coding);
        fail(new BodyReadError(known ?? `the upstream connection failed in the middle of its answer: ${err instanceof Error ? err.message : String(err)}`));
      };
      if (src.errored) return onError(src.errored);
      src.once('error', onError);
    });
  }
}

const END: ReadableStreamReadResult<Uint8Array> = { done: true, value: undefined };

/** A Node stream read like a web stream reader: `read()` → the next buffered bytes or the end; `cancel()` destroys it. */
class NodeChunkReader implements ChunkReader {
  /** The read waiting for the stream's next event. */
  private waiting: { resolve: (r: ReadableStreamReadResult<Uint8Array>) => void; reject: (err: unknown) => void } | null = null;
  private listening = false;
  private cancelled = false;
  /** Every event of the stream is a reason to look again; `next` says whether there is an answer yet. */
  private readonly onEvent = () => {
    const w = this.waiting;
    if (!w) return;
    const answer = this.next();
    if (!answer) return;
    this.waiting = null;
    answer.then(w.resolve, w.reject);
  };

  constructor(private readonly src: Readable) {}

  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const now = this.next();
    if (now) return now;
    if (!this.listening) {
      // Attached once for the stream's life (it is one request's), not per read.
      this.listening = true;
      for (const ev of ['readable', 'end', 'error', 'close']) this.src.on(ev, this.onEvent);
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** As a web reader's cancel: a read in progress (and every later one) gets the end; the connection is closed. */
  cancel(): Promise<void> {
    this.cancelled = true;
    const w = this.waiting;
    this.waiting = null;
    w?.resolve(END);
    this.src.destroy();
    return Promise.resolve();
  }

  /** The answer available now (a chunk, the end, the error), or null to wait for the stream's next event. */
  private next(): Promise<ReadableStreamReadResult<Uint8Array>> | null {
    const src = this.src;
    if (this.cancelled) return Promise.resolve(END);
    if (src.errored) return Promise.reject(src.errored);
    const chunk = src.read() as Buffer | null;
    if (chunk !== null) return Promise.resolve({ done: false, value: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) });
    if (src.readableEnded) return Promise.resolve(END);
    // The read itself may have failed the stream (a coding it cannot decode fails its first read).
    if (src.errored) return Promise.reject(src.errored);
    // Closed without an end or an error: cut off (a cancel, or the connection destroyed).
    if (src.destroyed) return Promise.reject(new Error('the upstream stream was closed before its end'));
    return null;
  }
}

/** Options of the Node upstream agent. */
export interface UpstreamAgentOptions {
  /** Idle keep-alive sockets are closed after this many ms (undici's keepAliveTimeout; default 4,000). */
  keepAliveTimeoutMs?: number;
}

/** The process-wide upstream caller. */
export interface UpstreamAgent {
  call: (call: UpstreamCall) => Promise<UpstreamResult>;
  /** Shutdown: closes every socket, cutting a call still in flight (the server has drained by then). */
  destroy: () => Promise<void>;
  /** The dispatchers of outbound proxies (a call with `proxy` goes through one; node/proxy-dispatchers.ts). */
  proxies: ProxyDispatchers;
}

/**
 * Creates the process-wide upstream caller: one undici Agent (a connection pool per origin, keep-alive)
 * for every channel without an outbound proxy, and one dispatcher per proxy URL for the others.
 */
export function createUpstreamAgent(opts: UpstreamAgentOptions = {}): UpstreamAgent {
  const keepAliveTimeoutMs = opts.keepAliveTimeoutMs ?? 4_000;
  const agent = new Agent({ keepAliveTimeout: keepAliveTimeoutMs });
  const proxies = new ProxyDispatchers({ keepAliveTimeoutMs });

  async function call(c: UpstreamCall): Promise<UpstreamResult> {
    const attempt = new AttemptSignal();
    const guard = armAttempt(c.signal, (reason) => attempt.abort(reason), c.firstByteTimeoutMs);
    const headers = outboundHeaders(c.headers);
    try {
      // A channel without a proxy pays one property check.
      const dispatcher = c.proxy === undefined ? agent : proxies.get(c.proxy);
      const { origin, path } = target(c.url);
      const res = await dispatcher.request({
        origin,
        path,
        method: c.method,
        headers,
        body: c.body,
        signal: attempt,
        // The readers time the gaps between chunks (the group's idle limit); the first byte is timed by the guard.
        bodyTimeout: 0,
        headersTimeout: 0,
      });
      guard.settle(false);
      const replyHeaders = new ReplyHeaders(res.headers);
      return { kind: 'response', response: new NodeUpstreamResponse(res.statusCode, replyHeaders, decode(res.body, replyHeaders.get('content-encoding'), res.statusCode)) };
    } catch (err) {
      guard.settle(true);
      return networkFailure(guard, c, err, describe);
    }
  }

  return { call, proxies, destroy: async () => { await Promise.all([agent.destroy(), proxies.destroy()]); } };
}

/** Upstream URLs parsed, by URL text: a handful per channel (base URL × model × stream or not). */
const targets = new Map<string, { origin: string; path: string }>();
/** Past this many the cache starts over (URLs come from configuration, not from clients; this only bounds it). */
const TARGETS_MAX = 1_000;

/**
 * The origin and path undici's dispatcher wants, remembered per URL: `request(url, …)` parsed the
 * same few URLs with `new URL` and copied the options object on every call (~1.5% of the Node
 * gateway's CPU per request, issue 11). Same result as undici's own parse (origin, and the path
 * with its query). @throws TypeError for a URL that does not parse (a network failure for the caller).
 */
function target(url: string): { origin: string; path: string } {
  let t = targets.get(url);
  if (t) return t;
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('Invalid URL protocol: the URL must start with `http:` or `https:`.');
  t = { origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname };
  if (targets.size >= TARGETS_MAX) targets.clear();
  targets.set(url, t);
  return t;
}

/** The body decoded per its content-encoding (gzip, deflate), or failing at first read for any other coding. */
function decode(body: Readable, contentEncoding: string | null, status: number): Readable {
  if (status === 204 || status === 205 || status === 304) return body;
  const format = formatFor(contentEncoding);
  if (format === '') return body;
  body.on('error', () => {}); // a reset reaches the reader through the inflater (below)
  if (format === null) {
    body.destroy();
    const failure = unsupportedCoding(contentEncoding);
    // Fails at the first read, as on workerd.
    return new Readable({ read() { this.destroy(failure); } });
  }
  const inflater = format === 'gzip' ? createGunzip() : createInflate();
  // A reset of the connection or a cancel of the reader ends both.
  body.once('error', (err) => inflater.destroy(err));
  inflater.once('close', () => body.destroy());
  return body.pipe(inflater);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return err.message ? (typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message) : err.name;
}
