/**
 * Fake LLM provider: an HTTP server that replays real recordings (shared/fixtures) with
 * controllable chunking, latency and network faults. Everything is driven over HTTP so
 * tests running inside workerd can use it:
 *
 *   POST   /__scenarios                 body = Scenario | Behavior  -> 201 { id, baseUrl }
 *   ANY    /s/<id>/<anything>           answered by the scenario's next step
 *   GET    /__scenarios/<id>/requests   -> RecordedRequest[]
 *   DELETE /__scenarios/<id>            -> 200 { deleted: id }
 *   GET    /__health                    -> 200 "ok"
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { assertRecording, renderRecording, type WireProtocol } from './recordings.js';
import { planWrites, truncateWrites, type SplitMode } from './split.js';

export type { SplitMode } from './split.js';
export type { WireProtocol } from './recordings.js';

/**
 * A network fault injected into one response.
 * - `reset`: destroy the socket once `afterBytes` body bytes (default 0) were flushed — the client sees a truncated body / error.
 * - `stall`: write `afterBytes` body bytes (default 0), then write nothing more and keep the connection
 *   open until the client goes away or the server closes.
 * - `drop`: destroy the socket before any response byte (after `latencyMs`).
 */
export type Fault = { kind: 'reset'; afterBytes?: number } | { kind: 'stall'; afterBytes?: number } | { kind: 'drop' };

/** How to answer one request. All fields optional. */
export interface Behavior {
  /** Recording name replayed for streaming requests, e.g. `openai-chat/vercel__openai-text.chunks.txt`. */
  stream?: string;
  /** Recording name replayed for non-stream requests, e.g. `openai-chat/vercel__openai-text.json` (`#N` suffix for wrapper records). */
  json?: string;
  /** Framing protocol override; default is the recording's top folder. */
  protocol?: WireProtocol;
  /**
   * Replays only the recording's wire events `from` (0-based) up to `to` (excluded; default: the
   * end), e.g. one whole message of a recording that holds two.
   */
  slice?: { from: number; to?: number };
  /** HTTP status. Default 200. */
  status?: number;
  /** Extra response headers (override the defaults such as content-type). */
  headers?: Record<string, string | number>;
  /** Literal reply instead of a recording: strings are sent as-is, other JSON values serialised as application/json. */
  body?: unknown;
  /** How the body bytes are cut into writes. Default `event`. */
  split?: SplitMode;
  /** PRNG seed for `split: "random"`. Default 1. */
  seed?: number;
  /** Delay before sending the response headers, in ms. */
  latencyMs?: number;
  /** Delay between two consecutive body writes, in ms. */
  gapMs?: number;
  /** Network fault to inject. */
  fault?: Fault;
  /** JSON value answered to GET requests whose path ends in `/models`. */
  models?: unknown;
  /**
   * Compresses the body with this content coding and sends `content-encoding` (no content-length).
   * Each write is compressed and flushed on its own (Z_SYNC_FLUSH), so a stream stays a stream and
   * the split still shows. A body *labelled* gzip that is not: `headers: {"content-encoding": "gzip"}`
   * without `encoding`.
   */
  encoding?: 'gzip' | 'deflate';
  /**
   * With `encoding`: after this many body bytes (before compression), the compressed stream goes on
   * with bytes that are not valid compressed data, then the reply ends.
   */
  corruptAfterBytes?: number;
  /**
   * Inserts `chars` characters of filler after `afterEvents` wire events of the reply: into an SSE
   * stream, one comment line (`:` and `x`s, then a blank line: no event, but one very long line);
   * into JSON (a non-stream body, a JSON-array stream), spaces. `afterEvents` defaults to 0 for
   * SSE (before any content) and to the end for JSON. With `encoding`, a compression bomb: the
   * filler compresses about 1000 to 1.
   */
  padding?: { chars: number; afterEvents?: number };
}

/** A scripted upstream: the N-th request (0-based) is answered by `steps[min(N, steps.length - 1)]`. */
export interface Scenario {
  steps: Behavior[];
}

/** What the fake upstream received for one request to a scenario. */
export interface RecordedRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path below `/s/<id>`, without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Query parameters; repeated keys become arrays. */
  query: Record<string, string | string[]>;
  /** Request headers with lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Request body decoded as UTF-8 ("" when empty). */
  body: string;
  /** Parsed body, or null when empty / not JSON. */
  json: unknown;
  /** Arrival time, ms since the epoch. */
  at: number;
  /** 0-based step index that answered this request. */
  step: number;
  /** True when the client went away before the response was complete. */
  aborted?: boolean;
}

/** A running fake upstream. */
export interface FakeUpstream {
  /** Base URL of the server, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** TCP port it listens on. */
  port: number;
  /** Registers a scenario (a bare Behavior is a one-step scenario). Throws on an invalid scenario or unknown recording. */
  addScenario(s: Scenario | Behavior): { id: string; baseUrl: string };
  /** Requests received so far by scenario `id` (a snapshot). Throws for an unknown id. */
  requests(id: string): RecordedRequest[];
  /** Forgets scenario `id`; returns false if it was unknown. */
  removeScenario(id: string): boolean;
  /** Stops listening and destroys every open (including stalled) connection. */
  close(): Promise<void>;
}

/** Options for {@link startFakeUpstream}. */
export interface StartOptions {
  /** TCP port; default 0 (an ephemeral free port). */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
}

interface ScenarioState {
  steps: Behavior[];
  served: number;
  requests: RecordedRequest[];
}

const PROTOCOLS = new Set(['openai-chat', 'openai-responses', 'anthropic', 'gemini']);
const FAULTS = new Set(['reset', 'stall', 'drop']);

/** Throws a readable Error when `b` is not a usable Behavior; loads recordings so typos fail at registration. */
function validateBehavior(b: unknown, where: string): asserts b is Behavior {
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new Error(`${where}: behavior must be an object`);
  const x = b as Behavior;
  for (const key of ['stream', 'json'] as const) {
    const v = x[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new Error(`${where}.${key}: must be a recording name`);
    assertRecording(v);
  }
  if (x.slice !== undefined) {
    const { from, to } = x.slice as { from?: unknown; to?: unknown };
    if (!(Number.isInteger(from) && (from as number) >= 0)) throw new Error(`${where}.slice.from: must be a non-negative integer`);
    if (to !== undefined && !(Number.isInteger(to) && (to as number) > (from as number))) throw new Error(`${where}.slice.to: must be an integer above from`);
  }
  if (x.protocol !== undefined && !PROTOCOLS.has(x.protocol)) throw new Error(`${where}.protocol: unknown ${x.protocol}`);
  if (x.status !== undefined && !(Number.isInteger(x.status) && x.status >= 100 && x.status <= 599)) {
    throw new Error(`${where}.status: must be an HTTP status`);
  }
  for (const key of ['latencyMs', 'gapMs', 'seed'] as const) {
    const v = x[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new Error(`${where}.${key}: must be a non-negative number`);
    }
  }
  if (x.split !== undefined) planWrites([], x.split); // throws on an invalid mode
  if (x.headers !== undefined && (typeof x.headers !== 'object' || x.headers === null)) {
    throw new Error(`${where}.headers: must be an object`);
  }
  const answers = x.stream !== undefined || x.json !== undefined || x.body !== undefined || x.models !== undefined;
  if (!answers && x.fault?.kind !== 'drop' && !(x.status !== undefined && x.status >= 400)) {
    // An empty behaviour would answer 200 with an empty body: a trap, not a scenario.
    throw new Error(`${where}: give a reply (stream, json, body or models), an error status, or a drop fault`);
  }
  if (x.encoding !== undefined && x.encoding !== 'gzip' && x.encoding !== 'deflate') throw new Error(`${where}.encoding: must be gzip | deflate`);
  if (x.corruptAfterBytes !== undefined) {
    if (x.encoding === undefined) throw new Error(`${where}.corruptAfterBytes: needs an encoding`);
    if (!(Number.isInteger(x.corruptAfterBytes) && x.corruptAfterBytes >= 0)) throw new Error(`${where}.corruptAfterBytes: must be a non-negative integer`);
  }
  if (x.padding !== undefined) {
    const { chars, afterEvents } = x.padding as { chars?: unknown; afterEvents?: unknown };
    if (!(Number.isInteger(chars) && (chars as number) > 0 && (chars as number) <= 512 * 1024 * 1024)) throw new Error(`${where}.padding.chars: must be an integer 1..512 Mi`);
    if (afterEvents !== undefined && !(Number.isInteger(afterEvents) && (afterEvents as number) >= 0)) throw new Error(`${where}.padding.afterEvents: must be a non-negative integer`);
  }
  if (x.fault !== undefined) {
    if (!x.fault || !FAULTS.has(x.fault.kind)) throw new Error(`${where}.fault.kind: must be reset | stall | drop`);
    const after = (x.fault as { afterBytes?: unknown }).afterBytes;
    if (after !== undefined && !(typeof after === 'number' && Number.isInteger(after) && after >= 0)) {
      throw new Error(`${where}.fault.afterBytes: must be a non-negative integer`);
    }
  }
}

/** Accepts `{steps: [...]}` or a bare Behavior and returns validated steps. */
function normalizeScenario(s: unknown): Behavior[] {
  const steps =
    s && typeof s === 'object' && Array.isArray((s as Scenario).steps) ? (s as Scenario).steps : [s as Behavior];
  if (steps.length === 0) throw new Error('scenario.steps must not be empty');
  steps.forEach((b, i) => validateBehavior(b, `steps[${i}]`));
  return steps;
}

/** Reads the whole request body; rejects if the client goes away first. */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client closed before sending the whole body'));
    });
  });
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Sleeps `ms`; resolves early (without throwing) when `signal` aborts. */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

/** Resolves when `emitter` emits `event` or `signal` aborts, whichever first. */
function onceOrAbort(emitter: NodeJS.EventEmitter, event: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      emitter.off(event, done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    emitter.on(event, done);
    signal.addEventListener('abort', done);
  });
}

/**
 * Waits until the socket has handed every buffered byte to the kernel, so a following
 * destroy() cannot discard bytes the fault promised to deliver. Polls because http
 * corks the socket until the next tick and only emits 'drain' after a refused write.
 */
async function flushed(socket: Socket | null, signal: AbortSignal): Promise<void> {
  await new Promise((r) => setImmediate(r));
  while (socket && !socket.destroyed && socket.writableLength > 0 && !signal.aborted) {
    await sleep(2, signal);
  }
}

/** A content coder whose every push comes out at once (sync flush): one compressed write per write. */
function compressor(kind: 'gzip' | 'deflate') {
  const z = kind === 'gzip' ? zlib.createGzip() : zlib.createDeflate();
  const out: Buffer[] = [];
  z.on('data', (c: Buffer) => out.push(c));
  const take = () => Buffer.concat(out.splice(0));
  return {
    async push(chunk: Uint8Array): Promise<Buffer> {
      z.write(chunk);
      await new Promise<void>((r) => z.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
      return take();
    },
    async end(): Promise<Buffer> {
      const ended = new Promise((r) => z.once('end', r));
      z.end();
      await ended;
      return take();
    },
  };
}

/** Bytes no inflater accepts: deflate blocks of the reserved type 3 ("invalid block type"). */
const NOT_COMPRESSED = Buffer.alloc(64, 0xff);

/** The bytes, status and headers to answer `rec` with according to `b`. */
function buildReply(b: Behavior, rec: RecordedRequest): { events: Uint8Array[]; headers: Record<string, string | number> } {
  const headers: Record<string, string | number> = {};
  let events: Uint8Array[] = [];
  let streaming = false;
  const literal = (v: unknown) => {
    if (typeof v === 'string') {
      // Guess a content type so error replies given as strings still look like JSON / SSE to the client.
      const t = v.trimStart();
      headers['content-type'] = /^[[{]/.test(t)
        ? 'application/json'
        : /^(data|event):/.test(t)
          ? 'text/event-stream'
          : 'text/plain; charset=utf-8';
      return Buffer.from(v, 'utf8');
    }
    headers['content-type'] = 'application/json';
    return Buffer.from(JSON.stringify(v), 'utf8');
  };
  const status = b.status ?? 200;
  if (rec.method === 'GET' && /\/models\/?$/.test(rec.path) && b.models !== undefined) {
    events = [literal(b.models)];
  } else if (b.body !== undefined) {
    events = [literal(b.body)];
    streaming = headers['content-type'] === 'text/event-stream';
  } else {
    const wantsStream =
      (rec.json as { stream?: unknown } | null)?.stream === true || rec.path.includes(':streamGenerateContent');
    const name = wantsStream ? (b.stream ?? b.json) : (b.json ?? b.stream);
    if (name) {
      const alt = rec.query.alt === 'sse' ? 'sse' : 'json-array';
      const rendered = renderRecording(name, { protocol: b.protocol, alt });
      events = b.slice ? rendered.events.slice(b.slice.from, b.slice.to) : rendered.events;
      streaming = rendered.streaming;
      headers['content-type'] = rendered.contentType;
    } else if (status >= 400) {
      events = [literal({ error: { message: `fake upstream status ${status}`, type: 'fake_upstream' } })];
    }
  }
  if (b.padding) {
    const sse = String(headers['content-type'] ?? '').startsWith('text/event-stream');
    const filler = sse ? Buffer.concat([Buffer.from(':'), Buffer.alloc(b.padding.chars, 'x'), Buffer.from('\n\n')]) : Buffer.alloc(b.padding.chars, ' ');
    const at = Math.min(b.padding.afterEvents ?? (sse ? 0 : events.length), events.length);
    events = [...events.slice(0, at), filler, ...events.slice(at)];
  }
  if (streaming) headers['cache-control'] = 'no-cache';
  if (b.encoding) headers['content-encoding'] = b.encoding;
  else if (!streaming) headers['content-length'] = events.reduce((n, e) => n + e.length, 0);
  for (const [k, v] of Object.entries(b.headers ?? {})) headers[k.toLowerCase()] = v;
  return { events, headers };
}

/**
 * Starts a fake upstream on `opts.host` (default 127.0.0.1) and `opts.port` (default: ephemeral).
 * Resolves once listening.
 */
export async function startFakeUpstream(opts: StartOptions = {}): Promise<FakeUpstream> {
  const host = opts.host ?? '127.0.0.1';
  const scenarios = new Map<string, ScenarioState>();
  const inflight = new Set<AbortController>();
  let closing = false;
  let seq = 0;
  let url = '';

  const addScenario = (s: Scenario | Behavior) => {
    const steps = normalizeScenario(s);
    const id = `${++seq}-${randomUUID().slice(0, 8)}`;
    scenarios.set(id, { steps, served: 0, requests: [] });
    return { id, baseUrl: `${url}/s/${id}` };
  };

  /** Answers one scenario request, honouring latency, split, gaps, faults and client aborts. */
  async function serveStep(req: http.IncomingMessage, res: http.ServerResponse, b: Behavior, rec: RecordedRequest) {
    const ac = new AbortController();
    const signal = ac.signal;
    inflight.add(ac);
    let selfClosed = false;
    res.on('close', () => {
      // 'close' before 'finish' means the connection died; only blame the client if we did not kill it.
      if (!res.writableFinished && !selfClosed && !closing) rec.aborted = true;
      ac.abort();
    });
    try {
      await sleep(b.latencyMs ?? 0, signal);
      if (signal.aborted) return;
      if (b.fault?.kind === 'drop') {
        selfClosed = true;
        req.socket.destroy();
        return;
      }
      const reply = buildReply(b, rec);
      res.writeHead(b.status ?? 200, reply.headers);
      res.flushHeaders(); // headers must reach the client even if a fault stops the body at byte 0
      let writes = planWrites(reply.events, b.split ?? 'event', b.seed ?? 1);
      const fault = b.fault;
      if (fault) writes = truncateWrites(writes, fault.afterBytes ?? 0);
      if (b.corruptAfterBytes !== undefined) writes = truncateWrites(writes, b.corruptAfterBytes);
      const coder = b.encoding ? compressor(b.encoding) : null;
      for (let i = 0; i < writes.length; i++) {
        // Yield even without a gap: http corks the socket until the next tick, so writes issued in
        // one tick would leave as a single segment and the split would be invisible to the client.
        if (i > 0) await (b.gapMs ? sleep(b.gapMs, signal) : new Promise((r) => setImmediate(r)));
        if (signal.aborted) return;
        const bytes = coder ? await coder.push(writes[i]!) : writes[i]!;
        if (!res.write(bytes)) await onceOrAbort(res, 'drain', signal);
      }
      if (signal.aborted) return;
      if (coder && !fault) {
        const tail = b.corruptAfterBytes !== undefined ? NOT_COMPRESSED : await coder.end();
        if (!res.write(tail)) await onceOrAbort(res, 'drain', signal);
      }
      if (fault?.kind === 'reset') {
        await flushed(res.socket, signal);
        selfClosed = true;
        res.socket?.destroy();
      } else if (fault?.kind === 'stall') {
        await onceOrAbort(res, 'close', signal);
        if (!res.writableEnded) res.destroy();
      } else {
        res.end();
      }
    } finally {
      inflight.delete(ac);
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const u = new URL(req.url ?? '/', 'http://fake.invalid');
    const p = u.pathname;

    if (p === '/__health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (p === '/__scenarios' && method === 'POST') {
      const text = (await readBody(req)).toString('utf8');
      try {
        sendJson(res, 201, addScenario(JSON.parse(text)));
      } catch (err) {
        sendJson(res, 400, { error: (err as Error).message });
      }
      return;
    }
    const ctl = /^\/__scenarios\/([^/]+)(\/requests)?\/?$/.exec(p);
    if (ctl) {
      const id = decodeURIComponent(ctl[1]!);
      const sc = scenarios.get(id);
      if (!sc) return sendJson(res, 404, { error: `unknown scenario ${id}` });
      if (ctl[2] && method === 'GET') return sendJson(res, 200, sc.requests);
      if (!ctl[2] && method === 'DELETE') {
        scenarios.delete(id);
        return sendJson(res, 200, { deleted: id });
      }
      return sendJson(res, 405, { error: `${method} not allowed on ${p}` });
    }
    const sm = /^\/s\/([^/]+)(\/.*)?$/.exec(p);
    if (!sm) return sendJson(res, 404, { error: `no route ${method} ${p}` });
    const id = decodeURIComponent(sm[1]!);
    const sc = scenarios.get(id);
    if (!sc) return sendJson(res, 404, { error: `unknown scenario ${id}` });

    const raw = await readBody(req);
    const body = raw.toString('utf8');
    let json: unknown = null;
    try {
      json = body ? JSON.parse(body) : null;
    } catch {
      json = null;
    }
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of u.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    const step = Math.min(sc.served++, sc.steps.length - 1);
    const rec: RecordedRequest = { method, path: sm[2] ?? '/', query, headers, body, json, at, step };
    sc.requests.push(rec);
    await serveStep(req, res, sc.steps[step]!, rec);
  }

  const server = http.createServer((req, res) => {
    // Many tiny writes ("byte" split) must leave as they are, not be coalesced by Nagle.
    req.socket.setNoDelay(true);
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: String((err as Error)?.message ?? err) });
      else res.destroy();
    });
  });

  // Never close an idle keep-alive connection from this side: Node's default (5 s) races the
  // clients' own idle timers (undici: 4 s, from the Keep-Alive hint), and on a busy machine a late
  // timer lets a client reuse a socket just as the server closes it: `fetch failed`, ECONNRESET on
  // a test's control call, or a channel fault the gateway did not cause. Clients close idle sockets.
  server.keepAliveTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  url = `http://${urlHost}:${port}`;

  return {
    url,
    port,
    addScenario,
    requests(id) {
      const sc = scenarios.get(id);
      if (!sc) throw new Error(`unknown scenario ${id}`);
      return sc.requests.map((r) => ({ ...r }));
    },
    removeScenario: (id) => scenarios.delete(id),
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const ac of inflight) ac.abort();
        server.closeAllConnections(); // stalled and keep-alive sockets would otherwise keep close() pending
      });
    },
  };
}
