/**
 * The front proxy of `npm start` (scripts/dev-proxy.mjs) against a plain Node server standing in for
 * wrangler dev: the client address it hands on is the socket's (a client-sent CF-Connecting-IP or
 * proxy secret never passes), bodies stream both ways without buffering and with backpressure, a
 * client that leaves aborts the forwarded request, and the latency it adds is measured.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_PROXY_HEADER, RESEND_BODY_LIMIT, startDevProxy } from '../../../scripts/dev-proxy.mjs';

const SECRET = 'test-secret-0123456789';
let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok');
let target: Server;
let targetPort: number;
let proxy: { port: number; close(): Promise<void> };

beforeAll(async () => {
  target = createServer((req, res) => handle(req, res));
  await new Promise<void>((ok) => target.listen(0, '127.0.0.1', ok));
  targetPort = (target.address() as AddressInfo).port;
  proxy = await startDevProxy({ host: '127.0.0.1', port: 0, target: { host: '127.0.0.1', port: targetPort }, secret: SECRET });
});
afterAll(async () => {
  await proxy.close();
  target.closeAllConnections();
  await new Promise((ok) => target.close(ok));
});

/** A request through the proxy (or `port`), from `localAddress`; resolves with the response once headers arrive. */
function send(opts: { path?: string; method?: string; headers?: Record<string, string>; body?: string; localAddress?: string; port?: number; agent?: Agent }): Promise<IncomingMessage> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: opts.port ?? proxy.port, path: opts.path ?? '/', method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: opts.agent }, ok);
    req.on('error', fail);
    req.end(opts.body);
  });
}

async function text(res: IncomingMessage): Promise<string> {
  let out = '';
  for await (const chunk of res) out += chunk;
  return out;
}

describe('dev proxy (npm start front)', () => {
  it('replaces CF-Connecting-IP and the proxy header with the socket address and the secret; keeps Host, method, path and body', async () => {
    let seen: { headers: IncomingMessage['headers']; method?: string; url?: string; body: string } | undefined;
    handle = async (req, res) => {
      seen = { headers: req.headers, method: req.method, url: req.url, body: await text(req) };
      res.writeHead(201, { 'x-reply': 'yes', 'content-type': 'application/json' });
      res.end('{"done":true}');
    };
    const res = await send({
      path: '/api/v1/auth/login?x=1', method: 'POST', localAddress: '127.0.0.2',
      headers: { host: 'gateway.local:8787', 'content-type': 'application/json', 'cf-connecting-ip': '203.0.113.9', [DEV_PROXY_HEADER]: 'forged', 'x-forwarded-for': '203.0.113.10', connection: 'keep-alive, x-hop', 'x-hop': 'drop me' },
      body: '{"password":"p"}',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-reply']).toBe('yes');
    expect(await text(res)).toBe('{"done":true}');
    expect(seen).toMatchObject({ method: 'POST', url: '/api/v1/auth/login?x=1', body: '{"password":"p"}' });
    expect(seen!.headers['cf-connecting-ip']).toBe('127.0.0.2');
    expect(seen!.headers[DEV_PROXY_HEADER]).toBe(SECRET);
    expect(seen!.headers.host).toBe('gateway.local:8787');
    expect(seen!.headers['x-hop']).toBeUndefined();
  });

  it('streams a response event by event: each reaches the client before the next is written', async () => {
    const received: ((v: void) => void)[] = [];
    const arrived = Array.from({ length: 5 }, (_, i) => new Promise<void>((ok) => (received[i] = ok)));
    handle = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 5; i++) {
        res.write(`data: ${i}\n\n`);
        // A buffering proxy never delivers event i alone: the cap turns that into a failure, not a hang.
        const ok = await Promise.race([arrived[i]!.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
        if (!ok) return void res.end('data: stalled\n\n');
      }
      res.end();
    };
    const res = await send({ path: '/v1/chat/completions' });
    expect(res.headers['content-type']).toBe('text/event-stream');
    let buffer = '';
    const events: string[] = [];
    for await (const chunk of res) {
      buffer += chunk;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        events.push(event);
        received[events.length - 1]?.();
      }
    }
    expect(events).toEqual(['data: 0', 'data: 1', 'data: 2', 'data: 3', 'data: 4']);
  });

  it('keeps a stream open across a pause longer than the pool\'s idle timeout (2 s)', async () => {
    handle = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: before\n\n');
      await new Promise((ok) => setTimeout(ok, 3000)); // a model thinking
      res.end('data: after\n\n');
    };
    const res = await send({ path: '/v1/messages' });
    expect(await text(res)).toBe('data: before\n\ndata: after\n\n');
  });

  it('applies backpressure: a client that stops reading stops the writer after a bounded amount', async () => {
    const MiB = 1024 * 1024;
    const chunk = Buffer.alloc(MiB, 120);
    let written = 0;
    let blockedAt = -1;
    const finished = new Promise<void>((done) => {
      handle = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const pump = () => {
          while (written < 128 * MiB) {
            written += chunk.length;
            if (!res.write(chunk)) {
              if (blockedAt < 0) blockedAt = written;
              res.once('drain', pump);
              return;
            }
          }
          res.end(done);
        };
        pump();
      };
    });
    const res = await send({ path: '/big' });
    res.pause();
    await new Promise((ok) => setTimeout(ok, 500));
    const whilePaused = written;
    console.log(`dev proxy: a paused client held the writer at ${(whilePaused / MiB).toFixed(0)} MiB of 128 MiB`);
    // Socket and stream buffers on three hops hold a few MiB; nothing holds the whole 128 MiB.
    expect(blockedAt).toBeGreaterThan(0);
    expect(whilePaused).toBeLessThan(48 * MiB);
    let got = 0;
    res.on('data', (c: Buffer) => (got += c.length));
    res.resume();
    await finished;
    await new Promise((ok) => res.on('end', ok));
    expect(got).toBe(128 * MiB);
  });

  it('aborts the forwarded request when the client leaves mid-stream', async () => {
    let upstreamClosed: (v: void) => void = () => {};
    const closed = new Promise<void>((ok) => (upstreamClosed = ok));
    handle = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      res.on('close', () => upstreamClosed());
      req.on('close', () => {});
    };
    const res = await send({ path: '/v1/messages' });
    await new Promise((ok) => res.once('data', ok));
    res.destroy();
    const seen = await Promise.race([closed.then(() => true), new Promise<boolean>((ok) => setTimeout(() => ok(false), 5000))]);
    expect(seen).toBe(true);
  });

  // wrangler 4.86's ProxyWorker, when its fetch to the Worker fails (workerd's keep-alive race,
  // cloudflare/workers-sdk#14641), answers a non-GET request with exactly this.
  const RACE_BODY = 'Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.';
  const raceAnswer = (res: ServerResponse) => {
    res.writeHead(503, { 'retry-after': '0', 'content-type': 'text/plain;charset=UTF-8' });
    res.end(RACE_BODY);
  };

  it("sends a request again, same body, when wrangler's ProxyWorker lost it in the keep-alive race", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const bodies: string[] = [];
      handle = async (req, res) => {
        bodies.push(await text(req));
        if (bodies.length === 1) return raceAnswer(res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"got":${bodies.at(-1)!.length}}`);
      };
      const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(300_000) }] });
      const res = await send({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(await text(res))).toEqual({ got: body.length });
      expect(bodies).toEqual([body, body]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('POST /v1/chat/completions');
    } finally {
      warn.mockRestore();
    }
  });

  it('gives up after two resends and passes the 503 on as it came', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      let calls = 0;
      handle = async (req, res) => {
        calls++;
        await text(req);
        raceAnswer(res);
      };
      const res = await send({ path: '/api/v1/groups', method: 'POST', body: '{"name":"g"}' });
      expect(res.statusCode).toBe(503);
      expect(await text(res)).toBe(RACE_BODY);
      expect(calls).toBe(3);
    } finally {
      warn.mockRestore();
    }
  });

  it("sends every other 503 once, untouched (the gateway's own, another text)", async () => {
    let calls = 0;
    const answers = [
      { type: 'application/json', body: '{"error":{"message":"no member available"}}' },
      { type: 'text/plain', body: 'Service Unavailable' },
    ];
    for (const a of answers) {
      calls = 0;
      handle = async (req, res) => {
        calls++;
        await text(req);
        res.writeHead(503, { 'retry-after': '0', 'content-type': a.type });
        res.end(a.body);
      };
      const res = await send({ path: '/v1/messages', method: 'POST', body: '{}' });
      expect(res.statusCode).toBe(503);
      expect(await text(res)).toBe(a.body);
      expect(calls).toBe(1);
    }
  });

  it('does not keep a body over the resend limit: its 503 goes to the client', async () => {
    let calls = 0;
    handle = async (req, res) => {
      calls++;
      await text(req);
      raceAnswer(res);
    };
    const res = await send({ path: '/v1/messages', method: 'POST', body: 'y'.repeat(RESEND_BODY_LIMIT + 1) });
    expect(res.statusCode).toBe(503);
    expect(await text(res)).toBe(RACE_BODY);
    expect(calls).toBe(1);
  });

  it('answers 502 in JSON while the target is not listening', async () => {
    const down = await startDevProxy({ host: '127.0.0.1', port: 0, target: { host: '127.0.0.1', port: 9 }, secret: SECRET });
    try {
      const res = await send({ port: down.port, path: '/healthz' });
      expect(res.statusCode).toBe(502);
      expect(JSON.parse(await text(res)).error.code).toBe('dev_proxy');
    } finally {
      await down.close();
    }
  });

  it('adds well under a few milliseconds per request (measured, printed)', async () => {
    handle = (_req, res) => res.end('{"ok":true}');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const time = async (port: number) => {
      const t = process.hrtime.bigint();
      await text(await send({ port, path: '/healthz', agent }));
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    for (let i = 0; i < 50; i++) {
      await time(proxy.port);
      await time(targetPort);
    }
    const viaProxy: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < 300; i++) {
      viaProxy.push(await time(proxy.port));
      direct.push(await time(targetPort));
    }
    agent.destroy();
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    const added = median(viaProxy) - median(direct);
    console.log(`dev proxy: median ${median(viaProxy).toFixed(3)} ms via proxy, ${median(direct).toFixed(3)} ms direct, added ${added.toFixed(3)} ms`);
    // A generous bound for a busy 2-core machine: the point is "no buffering, no per-request setup".
    expect(added).toBeLessThan(25);
  });
});
