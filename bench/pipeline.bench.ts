/**
 * `npm run bench`, part 2: the stream pipeline's own cost (SSE reader, decoder, normalizer,
 * encoder or passthrough tap) on a real 300-event recording, without any network or runtime hop.
 */
import { Bench } from 'tinybench';
import { codecFor } from '../worker/src/protocols/index';
import type { ProtocolName } from '../worker/src/protocols/canonical';
import { primeStream } from '../worker/src/relay/prime';
import { pipeStream, type OutputMode } from '../worker/src/relay/pipeline';
import { wireEvents } from '../worker/test/upstream/recordings';

const RECORDING = 'openai-chat/vercel__openai-text.chunks.txt';

/** What the relay redacts a stream of: the attempt's channel key (two forms of one credential). */
const SECRETS = ['sk-proj-0123456789abcdefghijklmnopqrstuvwxyz', 'sk-ant-api03-0123456789abcdefghij'];

async function run(events: Uint8Array[], mode: () => OutputMode, secrets?: string[]): Promise<void> {
  const body = new ReadableStream<Uint8Array>({ start(c) { for (const e of events) c.enqueue(e); c.close(); } });
  const primed = await primeStream(body, codecFor('openai-chat').createStreamDecoder(), 60_000, 0, () => 0);
  if (primed.kind !== 'ok') throw new Error('prime failed');
  await new Response(pipeStream(primed.primed, mode(), { idleMs: 60_000, onDone: () => {}, secrets })).arrayBuffer();
}

export async function pipelineBench(): Promise<{ bench: Bench; events: number; bytes: number }> {
  const events = wireEvents(RECORDING);
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench.add('openai-chat passthrough (bytes + usage tap)', () => run(events, () => ({ kind: 'bytes' })));
  bench.add('openai-chat passthrough, redacting 2 secrets (as the relay runs it)', () => run(events, () => ({ kind: 'bytes' }), SECRETS));
  for (const client of ['anthropic', 'openai-responses', 'gemini'] as ProtocolName[]) {
    const req = codecFor('openai-chat').decodeRequest({ model: 'g', stream: true, messages: [{ role: 'user', content: 'hi' }] }, {});
    bench.add(`openai-chat → ${client} (converted)`, () => run(events, () => ({ kind: 'convert', encoder: codecFor(client).createStreamEncoder(req, { geminiAlt: 'sse' }) })));
  }
  await bench.run();
  return { bench, events: events.length, bytes: events.reduce((n, e) => n + e.byteLength, 0) };
}
