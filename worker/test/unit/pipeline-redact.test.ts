/** The stream pipeline redacts the attempt's secrets without stalling when it holds a chunk back. */
import { describe, expect, it } from 'vitest';
import { codecFor } from '../../src/protocols/index';
import { primeStream } from '../../src/relay/prime';
import { pipeStream } from '../../src/relay/pipeline';

const SECRET = 'sk-test-secret-0123456789';

async function through(text: string, chunkSize: number): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  // A pull-based source, one small chunk per pull, like a socket read.
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + chunkSize));
      at += chunkSize;
    },
  });
  const primed = await primeStream(body, codecFor('openai-chat').createStreamDecoder(), 5_000, 0, () => 0);
  if (primed.kind !== 'ok') throw new Error('prime failed');
  const out = pipeStream(primed.primed, { kind: 'bytes' }, { idleMs: 5_000, onDone: () => {}, secrets: [SECRET] });
  return new Response(out).text();
}

const chunk = (d: unknown) => `data: ${JSON.stringify(d)}\n\n`;
const hello = (s: string) => chunk({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: s }, finish_reason: null }] });

describe('stream redaction', () => {
  it('passes a stream sent one byte at a time through intact when no secret appears (held-back bytes never stall it)', async () => {
    const text = hello('say yes, sk') + hello('s') + 'data: [DONE]\n\n';
    expect(await through(text, 1)).toBe(text);
  });

  it('redacts a secret split over one-byte chunks', async () => {
    const text = hello('x') + chunk({ error: { message: `bad key ${SECRET}` } }) + 'data: [DONE]\n\n';
    const out = await through(text, 1);
    expect(out).not.toContain(SECRET);
    expect(out).toContain('bad key [redacted]');
  });
});
