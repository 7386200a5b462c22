/** lib/abort.ts, relay/prime.ts IdleReads and node/client-signal.ts: the relay's light abort and idle plumbing. */
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AbortFlag } from '../../src/lib/abort';
import { connectionSignal } from '../../src/node/client-signal';
import { IdleReads, IdleTimeoutError } from '../../src/relay/prime';

describe('AbortFlag', () => {
  it('runs each listener once, in order, skips removed ones, and keeps the first reason', () => {
    const f = new AbortFlag();
    const seen: string[] = [];
    const b = () => seen.push('b');
    f.addEventListener('abort', () => seen.push('a'));
    f.addEventListener('abort', b);
    f.addEventListener('abort', () => seen.push('c'));
    f.removeEventListener('abort', b);
    f.abort('first');
    f.abort('second');
    f.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual(['a', 'c']);
    expect(f.aborted).toBe(true);
    expect(f.reason).toBe('first');
  });

  it('a throwing listener does not keep the others from running', async () => {
    const f = new AbortFlag();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.prependListener('uncaughtException', onError);
    try {
      f.addEventListener('abort', () => {
        throw new Error('listener failed');
      });
      f.addEventListener('abort', () => seen.push('after'));
      f.abort(undefined);
      await new Promise((ok) => setTimeout(ok, 10));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(seen).toEqual(['after']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['listener failed']);
  });
});

/** A reader whose reads resolve when `push` or `end` is called. */
function manualStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) }, { highWaterMark: 0 });
  return { reader: stream.getReader(), push: (s: string) => controller.enqueue(new TextEncoder().encode(s)), end: () => controller.close() };
}

describe('IdleReads', () => {
  it('gives chunks that come in time, re-arming its one timer per read', async () => {
    const s = manualStream();
    const reads = new IdleReads(s.reader);
    for (let i = 0; i < 5; i++) {
      const r = reads.read(150);
      setTimeout(() => s.push(`c${i}`), 60);
      // Five reads of 60 ms each: 300 ms in all, twice the limit, yet no read waited 150 ms.
      expect(new TextDecoder().decode((await r).value)).toBe(`c${i}`);
    }
    s.end();
    expect((await reads.read(150)).done).toBe(true);
    reads.stop();
  });

  it('rejects a read that gets nothing within the limit', async () => {
    const s = manualStream();
    const reads = new IdleReads(s.reader);
    const started = Date.now();
    await expect(reads.read(40)).rejects.toBeInstanceOf(IdleTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    reads.stop();
  });

  it('a pause between two reads (a slow client) is not an idle upstream', async () => {
    const s = manualStream();
    const reads = new IdleReads(s.reader);
    s.push('a');
    await reads.read(30);
    await new Promise((ok) => setTimeout(ok, 80));
    const next = reads.read(30);
    s.push('b');
    expect(new TextDecoder().decode((await next).value)).toBe('b');
    reads.stop();
  });
});

describe('connectionSignal', () => {
  /** A server whose handler gets the signal of each request; `finish` says whether it answers. */
  async function withServer(finish: boolean): Promise<{ aborted: boolean; reason: unknown }> {
    let outcome!: (v: { aborted: boolean; reason: unknown }) => void;
    const result = new Promise<{ aborted: boolean; reason: unknown }>((ok) => (outcome = ok));
    const server = createServer((req, res: ServerResponse) => {
      const signal = connectionSignal(req, res);
      res.on('close', () => setImmediate(() => outcome({ aborted: signal.aborted, reason: signal.reason })));
      if (finish) res.end('ok');
      else res.write('partial');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    const client = request({ port, host: '127.0.0.1', path: '/' }, (res) => {
      res.once('data', () => {
        if (!finish) client.destroy();
      });
      res.resume();
    });
    client.on('error', () => {});
    client.end();
    try {
      return await result;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('stays quiet for a response that was answered in full', async () => {
    expect(await withServer(true)).toEqual({ aborted: false, reason: undefined });
  });

  it('aborts when the client leaves before the response ended, with the adapter\'s reason', async () => {
    // The socket's end also breaks the (already read) request stream: the adapter then gives its error's text.
    const r = await withServer(false);
    expect(r.aborted).toBe(true);
    expect(['Error: aborted', 'Client connection prematurely closed.']).toContain(r.reason);
  });
});
