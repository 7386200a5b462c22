/**
 * The Node relay body reader (node/request-body.ts) keeps readCappedText's contract: a cap enforced
 * while the body arrives, the reply still reaching a client that is sending too much, and an upload
 * that breaks off reported as 'read_failed'.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardIncoming, readIncomingText } from '../../src/node/request-body';
import { BodyError } from '../../src/relay/body';

const CAP = 64 * 1024;
let server: Server;
let port: number;
const outcomes: (string | BodyError)[] = [];
let waiting: ((v: string | BodyError) => void) | null = null;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    readIncomingText(req, CAP).then(
      (text) => {
        outcomes.push(text);
        waiting?.(text);
        res.writeHead(200).end(`read ${Buffer.byteLength(text)}`);
      },
      (err: BodyError) => {
        outcomes.push(err);
        waiting?.(err);
        if (!res.destroyed) res.writeHead(413).end(err.message);
        if (!req.readableEnded) discardIncoming(req);
      },
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

/** Sends `chunks` (chunked encoding unless `length` is given) and returns status and body. */
function send(chunks: Buffer[], length?: number): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: length === undefined ? {} : { 'content-length': String(length) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('readIncomingText', () => {
  it('reads a body in many chunks as UTF-8, a leading BOM dropped', async () => {
    const text = '{"k":"wörld ✓"}'.repeat(100);
    const bytes = Buffer.from('\uFEFF' + text);
    const pieces = Array.from({ length: 10 }, (_, i) => bytes.subarray(Math.floor((i * bytes.length) / 10), Math.floor(((i + 1) * bytes.length) / 10)));
    const res = await send(pieces);
    expect(res.status).toBe(200);
    expect(outcomes.at(-1)).toBe(text);
  });

  it('refuses a declared length over the cap before reading, and a chunked body as soon as it passes the cap; the client gets the 413', async () => {
    const declared = await send([Buffer.alloc(CAP + 1, 0x20)], CAP + 1);
    expect(declared.status).toBe(413);
    expect((outcomes.at(-1) as BodyError).problem).toEqual({ kind: 'too_large', maxBytes: CAP });

    const chunked = await send(Array.from({ length: 40 }, () => Buffer.alloc(16 * 1024, 0x20)));
    expect(chunked.status).toBe(413);
    expect(chunked.body).toMatch(/larger than 65536 bytes/);
    expect((outcomes.at(-1) as BodyError).problem.kind).toBe('too_large');
  });

  it('reports an upload that breaks off as read_failed', async () => {
    const outcome = new Promise<string | BodyError>((ok) => (waiting = ok));
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' });
    req.on('error', () => {});
    req.write('{"partial":');
    await new Promise((ok) => setTimeout(ok, 50));
    req.destroy();
    const got = await outcome;
    waiting = null;
    expect(got).toBeInstanceOf(BodyError);
    expect((got as BodyError).problem.kind).toBe('read_failed');
  });
});
