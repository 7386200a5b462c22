/**
 * Golden conversion matrix: every client protocol × every channel type, streaming and not, on real
 * provider recordings replayed by the fake upstream at several chunkings.
 *
 * Truth: the channel protocol's own official SDK reading the recording straight from the fake
 * upstream (no gateway). Result: the client protocol's official SDK reading it through the gateway.
 * Both are reduced to the same facts (text, tool calls, usage, finish) and must agree.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../upstream/recordings';
import { startFakeUpstream, type FakeUpstream } from '../upstream/server';
import { IMAGE_B64, readFacts, type Facts, type Protocol } from './facts';
import { startGateway, type RunningGateway } from './harness';

const PROTOCOLS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

interface Recording {
  name: string;
  stream?: string;
  json?: string;
  protocol?: Protocol;
}

/** Real recordings per channel type: text, tools (parallel, no-args), reasoning, cached usage. */
const RECORDINGS: Record<Protocol, Recording[]> = {
  'openai-chat': [
    { name: 'text', stream: 'openai-chat/vercel__openai-text.chunks.txt', json: 'openai-chat/vercel__openai-text.json' },
    { name: 'parallel-tools', stream: 'openai-chat/axonhub__openai-parallel_multiple_tool.stream.jsonl', json: 'openai-chat/axonhub__openai-parallel_multiple_tool.response.json' },
    { name: 'reasoning-tool-cache', stream: 'openai-compatible/vercel__deepseek-tool-call.chunks.txt', protocol: 'openai-chat' },
    { name: 'cached', json: 'openai-chat/vercel__openai-chat-cached-input-tokens-11178.json#2' },
  ],
  'openai-responses': [
    { name: 'web-search-cache-reasoning', stream: 'openai-responses/vercel__openai-web-search-tool.1.chunks.txt', json: 'openai-responses/vercel__openai-web-search-tool.1.json' },
    { name: 'reasoning-function-call', json: 'openai-responses/vercel__openai-reasoning-encrypted-content.1.json' },
  ],
  anthropic: [
    { name: 'text', stream: 'anthropic/vercel__anthropic-text.chunks.txt', json: 'anthropic/vercel__anthropic-text.json' },
    { name: 'parallel-tools', stream: 'anthropic/axonhub__anthropic-tool.stream.jsonl', json: 'anthropic/axonhub__anthropic-tool.response.json' },
    { name: 'thinking-tools', stream: 'anthropic/axonhub__anthropic-think.stream.jsonl', json: 'anthropic/axonhub__anthropic-think.response.json' },
    { name: 'cache-write', stream: 'anthropic/vercel__anthropic-issue-5942-cache-write.chunks.txt' },
    { name: 'cache-read', stream: 'anthropic/vercel__anthropic-issue-5942-cache-read.chunks.txt' },
    { name: 'tool-no-args', stream: 'anthropic/vercel__anthropic-tool-no-args.chunks.txt', json: 'anthropic/vercel__anthropic-tool-no-args.json' },
  ],
  gemini: [
    { name: 'text', stream: 'gemini/vercel__google-text.chunks.txt', json: 'gemini/vercel__google-text.json' },
    { name: 'tool', stream: 'gemini/vercel__google-tool-call.chunks.txt', json: 'gemini/vercel__google-tool-call.json' },
    { name: 'reasoning', stream: 'gemini/vercel__google-reasoning.chunks.txt', json: 'gemini/vercel__google-reasoning.json' },
    { name: 'gemini3-signed-tool', stream: 'gemini/vercel__google-tool-call-gemini3.chunks.txt' },
  ],
};

/** Chunkings: whole events, random small writes, and every byte for small recordings. */
function splitsFor(rec: string): (string)[] {
  const size = statSync(`${fixturesDir()}/${rec.replace(/#\d+$/, '')}`).size;
  return size < 8000 ? ['event', 'random', 'byte'] : ['event', 'random'];
}

let upstream: FakeUpstream;
let gw: RunningGateway;
let clientKey: string;
const truths = new Map<string, Facts>();

beforeAll(async () => {
  upstream = await startFakeUpstream({ host: '127.0.0.1' });
  gw = await startGateway();
  const k = await gw.admin('POST', '/keys', { name: 'golden' });
  clientKey = k.json.key;
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

/** The image as each channel protocol carries it upstream (API references: image_url data URL, input_image, image source, inlineData). */
function expectImageUpstream(type: Protocol, body: any) {
  const json = JSON.stringify(body);
  expect(json).toContain(IMAGE_B64);
  if (type === 'openai-chat') expect(json).toContain(`"url":"data:image/png;base64,${IMAGE_B64}"`);
  if (type === 'openai-responses') expect(json).toContain('"type":"input_image"');
  if (type === 'anthropic') expect(json).toMatch(/"type":"image","source":\{"type":"base64","media_type":"image\/png"/);
  if (type === 'gemini') expect(json).toContain('"inlineData":{"mimeType":"image/png"');
}

let lastScenario = '';

/** One group whose only member is a channel of `type` pointed at a scenario. */
async function groupFor(type: Protocol, behaviour: object, name: string): Promise<string> {
  const s = upstream.addScenario(behaviour);
  lastScenario = s.id;
  const base = type === 'gemini' ? `${s.baseUrl}/v1beta` : `${s.baseUrl}/v1`;
  const ch = await gw.admin('POST', '/channels', { name: `ch-${name}`, type, baseUrl: base, keys: ['sk-upstream-golden'] });
  if (ch.status !== 201) throw new Error(JSON.stringify(ch.json));
  const g = await gw.admin('POST', '/groups', { name, members: [{ channelId: ch.json.id, upstreamModel: 'upstream-model' }] });
  if (g.status !== 201) throw new Error(JSON.stringify(g.json));
  return name;
}

/** The facts as the channel protocol's own SDK reads the recording, with no gateway between. */
async function truth(type: Protocol, rec: Recording, stream: boolean): Promise<Facts> {
  const key = `${type}/${rec.name}/${stream}`;
  let t = truths.get(key);
  if (!t) {
    const s = upstream.addScenario({ [stream ? 'stream' : 'json']: stream ? rec.stream : rec.json, ...(rec.protocol && { protocol: rec.protocol }) });
    t = await readFacts(type, `${s.baseUrl}/v1`, 'sk-direct', 'upstream-model', stream);
    truths.set(key, t);
  }
  return t;
}

/** Compares what the client saw with the truth, field by field, within what its protocol can say. */
function expectSameFacts(seen: Facts, want: Facts) {
  expect(seen.text).toBe(want.text);
  expect(seen.toolCalls).toEqual(want.toolCalls);
  expect(seen.finish).toBe(want.finish);
  expect(seen.usage.totalInput).toBe(want.usage.totalInput);
  expect(seen.usage.output).toBe(want.usage.output);
  expect(seen.usage.cacheRead).toBe(want.usage.cacheRead);
  if (seen.usage.cacheWrite !== null && want.usage.cacheWrite !== null) expect(seen.usage.cacheWrite).toBe(want.usage.cacheWrite);
  if (seen.usage.reasoning !== null && want.usage.reasoning !== null) expect(seen.usage.reasoning).toBe(want.usage.reasoning);
}

let seq = 0;
for (const type of PROTOCOLS) {
  describe(`channel ${type}`, () => {
    for (const rec of RECORDINGS[type]) {
      for (const stream of [true, false]) {
        const file = stream ? rec.stream : rec.json;
        if (!file) continue;
        for (const client of PROTOCOLS) {
          it(`${client} client, ${rec.name}, ${stream ? 'stream' : 'non-stream'}`, async () => {
            const want = await truth(type, rec, stream);
            expect(want.text.length + want.toolCalls.length).toBeGreaterThan(0);
            for (const split of stream ? splitsFor(file) : ['event']) {
              const group = await groupFor(type, { [stream ? 'stream' : 'json']: file, split, seed: 3, ...(rec.protocol && { protocol: rec.protocol }) }, `g${++seq}-${type}-${rec.name}`);
              const seen = await readFacts(client, `${gw.url}/v1`, clientKey, group, stream);
              expectSameFacts(seen, want);
              expectImageUpstream(type, upstream.requests(lastScenario)[0]!.json);
            }
          });
        }
      }
    }
  });
}
