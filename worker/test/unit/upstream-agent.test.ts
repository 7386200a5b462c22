/**
 * The Node upstream transport (node/upstream-agent.ts: undici `request` on a keep-alive Agent) keeps
 * the contract of the fetch-based `callUpstream`: codings decoded, redirects not followed, a
 * first-byte timeout, stalls and resets as BodyReadError, and never an unhandled 'error' (a crash)
 * when a connection resets before anyone reads the body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamAgent } from '../../src/node/upstream-agent';
import { BodyReadError, readErrorBody, readWholeBody, type UpstreamCall, type UpstreamResult } from '../../src/relay/upstream';

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
let server: Server;
let base: string;
const seen: { path: string; acceptEncoding: string | undefined }[] = [];
const agent = createUpstreamAgent();

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', acceptEncoding: req.headers['accept-encoding'] });
    req.resume();
    req.on('end', () => (routes.get(req.url ?? '') ?? ((_q, r) => r.writeHead(404).end()))(req, res));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await agent.destroy();
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

function call(path: string, over: Partial<UpstreamCall> = {}): Promise<UpstreamResult> {
  return agent.call({ url: base + path, method: 'POST', headers: { 'content-type': 'application/json', 'Accept-Encoding': 'br, zstd' }, body: '{}', firstByteTimeoutMs: 5_000, signal: new AbortController().signal, ...over });
}

async function response(path: string, over: Partial<UpstreamCall> = {}) {
  const r = await call(path, over);
  if (r.kind !== 'response') throw new Error(`expected a response, got ${r.error}`);
  return r.response;
}

describe('Node upstream agent', () => {
  it('asks for gzip and deflate only and decodes either, whole or streamed', async () => {
    const text = JSON.stringify({ hello: 'wörld', pad: 'x'.repeat(50_000) });
    routes.set('/gzip', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(text)));
    routes.set('/deflate', (_q, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync(text)));
    routes.set('/plain', (_q, res) => res.writeHead(200, { 'content-type': 'application/json', 'x-two': ['a', 'b'] }).end('\uFEFF' + text));
    expect(await readWholeBody(await response('/gzip'), 5_000, 1 << 20)).toBe(text);
    expect(await readWholeBody(await response('/deflate'), 5_000, 1 << 20)).toBe(text);
    const plain = await response('/plain');
    expect(plain.headers.get('Content-Type')).toBe('application/json');
    expect(plain.headers.get('x-two')).toBe('a, b');
    expect(plain.headers.get('x-none')).toBeNull();
    // A leading BOM is dropped, as TextDecoder does for the fetch path.
    expect(await readWholeBody(plain, 5_000, 1 << 20)).toBe(text);
    // Streamed through the web body (the stream readers' path).
    const streamed = await new Response((await response('/gzip')).body).text();
    expect(streamed).toBe(text);
    expect(seen.filter((s) => s.path === '/gzip').map((s) => s.acceptEncoding)).toEqual(['gzip, deflate', 'gzip, deflate']);
  });

  it('fails the first read of a coding it did not ask for, and of a body that does not decode', async () => {
    routes.set('/br', (_q, res) => res.writeHead(200, { 'content-encoding': 'br' }).end('not brotli'));
    routes.set('/badgzip', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('this is not gzip at all'));
    await expect(readWholeBody(await response('/br'), 5_000, 1 << 20)).rejects.toThrow(/content-encoding "br", which the gateway did not ask for/);
    const br = (await response('/br')).body!.getReader();
    await expect(br.read()).rejects.toThrow(/did not ask for/);
    await expect(readWholeBody(await response('/badgzip'), 5_000, 1 << 20)).rejects.toThrow(/could not be decoded \(content-encoding gzip\)/);
  });

  it('caps the decoded size (a compression bomb) and reports a stall as idle', async () => {
    routes.set('/bomb', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(8 << 20))));
    routes.set('/stall', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    const bomb = readWholeBody(await response('/bomb'), 5_000, 1 << 20);
    await expect(bomb).rejects.toBeInstanceOf(BodyReadError);
    await expect(bomb).rejects.toThrow(/larger than 1048576 bytes after decompression/);
    await expect(readWholeBody(await response('/stall'), 200, 1 << 20)).rejects.toThrow(/sent nothing for 200 ms/);
  });

  it('survives a connection reset before the body is read, and reports it to the reader', async () => {
    routes.set('/reset', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const res = await response('/reset');
    // Nobody reads while the connection dies: an unhandled 'error' here would fail the test run.
    await new Promise((ok) => setTimeout(ok, 200));
    await expect(readWholeBody(res, 5_000, 1 << 20)).rejects.toThrow(/connection failed in the middle of its answer/);
    const again = await response('/reset');
    await new Promise((ok) => setTimeout(ok, 200));
    await expect(new Response(again.body).text()).rejects.toThrow();
  });

  it('reads a stream chunk by chunk through its own reader: decoded, with the end, a coding error and a reset', async () => {
    routes.set('/chunks', (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(`data: ${n}\n\n`);
        if (++n === 5) {
          clearInterval(tick);
          res.end();
        }
      }, 10);
    });
    const readAll = async (path: string) => {
      const reader = (await response(path)).reader!();
      let text = '';
      for (;;) {
        const r = await reader.read();
        if (r.done) return text;
        text += new TextDecoder().decode(r.value);
      }
    };
    expect(await readAll('/chunks')).toBe([0, 1, 2, 3, 4].map((n) => `data: ${n}\n\n`).join(''));
    const big = 'y'.repeat(100_000);
    routes.set('/gz', (_q, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(big)));
    expect(await readAll('/gz')).toBe(big);
    routes.set('/br2', (_q, res) => res.writeHead(200, { 'content-encoding': 'br' }).end('not brotli'));
    await expect(readAll('/br2')).rejects.toThrow(/did not ask for/);
    routes.set('/reset2', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      setTimeout(() => req.socket.destroy(), 30);
    });
    await expect(readAll('/reset2')).rejects.toThrow();
    // Cancelling ends the read in progress (as a web reader's cancel does) rather than leaving it hanging.
    routes.set('/slow', (_q, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).write(''));
    const slow = (await response('/slow')).reader!();
    const pending = slow.read();
    await slow.cancel();
    expect((await pending).done).toBe(true);
    expect((await slow.read()).done).toBe(true);
  });

  it('does not follow redirects, and reads an error body', async () => {
    routes.set('/moved', (_q, res) => res.writeHead(302, { location: '/plain' }).end('moved'));
    const res = await response('/moved');
    expect(res.status).toBe(302);
    expect(await readErrorBody(res)).toBe('moved');
  });

  it('times out the first byte, is cancelled by the caller, and reports a refused connection', async () => {
    routes.set('/slow', (_q, res) => setTimeout(() => res.writeHead(200).end('{}'), 2_000).unref());
    const slow = await call('/slow', { firstByteTimeoutMs: 100 });
    expect(slow).toMatchObject({ kind: 'network', timedOut: true, error: 'no response within 100 ms' });

    routes.set('/drip', (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      const t = setInterval(() => res.write('data: more\n\n'), 20);
      res.on('close', () => clearInterval(t));
    });
    const client = new AbortController();
    const drip = await response('/drip', { signal: client.signal });
    const reader = drip.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    client.abort(new Error('client left'));
    let ended = false;
    try {
      for (;;) if ((await reader.read()).done) break;
      ended = true;
    } catch {
      ended = true;
    }
    expect(ended).toBe(true);

    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    const refused = await agent.call({ url: `http://127.0.0.1:${port}/`, method: 'POST', headers: {}, body: '{}', firstByteTimeoutMs: 5_000, signal: new AbortController().signal });
    expect(refused).toMatchObject({ kind: 'network', timedOut: false });
    expect(refused.kind === 'network' && refused.error).toMatch(/ECONNREFUSED/);
  });
});
