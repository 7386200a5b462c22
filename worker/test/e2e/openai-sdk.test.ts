/**
 * The official `openai` SDK, pointed at the gateway's base URL, streams and fetches chat
 * completions that the gateway relays from a fake upstream replaying a real OpenAI recording.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../upstream/recordings';
import { startFakeUpstream, type FakeUpstream } from '../upstream/server';
import { startGateway, type RunningGateway } from './harness';

const STREAM = 'openai-chat/vercel__openai-text.chunks.txt';
const JSON_REPLY = 'openai-chat/vercel__openai-text.json';

/** The assistant text a recording carries, read straight from the fixture. */
function streamText(): string {
  return readFileSync(`${fixturesDir()}/${STREAM}`, 'utf8').trim().split('\n')
    .map((line) => JSON.parse(line).choices[0]?.delta?.content ?? '').join('');
}

let upstream: FakeUpstream;
let gw: RunningGateway;

beforeAll(async () => {
  upstream = await startFakeUpstream({ host: '127.0.0.1' });
  gw = await startGateway();
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

async function setup(behaviour: object, name: string) {
  const s = upstream.addScenario(behaviour);
  const ch = await gw.admin('POST', '/channels', { name: `ch-${name}`, type: 'openai-chat', baseUrl: `${s.baseUrl}/v1`, keys: ['sk-upstream-e2e-0000'] });
  expect(ch.status).toBe(201);
  const g = await gw.admin('POST', '/groups', { name, members: [{ channelId: ch.json.id, upstreamModel: 'gpt-4.1-nano' }] });
  expect(g.status).toBe(201);
  const k = await gw.admin('POST', '/keys', { name: `key-${name}` });
  expect(k.status).toBe(201);
  const client = new OpenAI({ apiKey: k.json.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  return { client, scenarioId: s.id };
}

describe('openai SDK through the gateway', () => {
  it('streams a chat completion chunk by chunk with the text intact', async () => {
    const { client, scenarioId } = await setup({ stream: STREAM, split: 'random', seed: 7 }, 'e2e-stream');
    const stream = await client.chat.completions.create({ model: 'e2e-stream', stream: true, messages: [{ role: 'user', content: 'Invent a new holiday' }] });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    const expected = streamText();
    expect(expected.length).toBeGreaterThan(1000);
    expect(text).toBe(expected);
    expect(finish).toBe('stop');
    expect(chunks).toBeGreaterThan(100);
    const [seen] = upstream.requests(scenarioId);
    expect((seen!.json as any).model).toBe('gpt-4.1-nano');
    expect(seen!.headers.authorization).toBe('Bearer sk-upstream-e2e-0000');
  });

  it('fetches a non-stream chat completion', async () => {
    const { client } = await setup({ json: JSON_REPLY }, 'e2e-json');
    const res = await client.chat.completions.create({ model: 'e2e-json', messages: [{ role: 'user', content: 'Invent a new holiday' }] });
    const expected = JSON.parse(readFileSync(`${fixturesDir()}/${JSON_REPLY}`, 'utf8'));
    expect(res.choices[0]!.message.content).toBe(expected.choices[0].message.content);
    expect(res.usage).toEqual(expected.usage);
  });

  it('surfaces gateway errors as the SDK\'s typed errors', async () => {
    const { client } = await setup({ json: JSON_REPLY }, 'e2e-errors');
    const err = await client.chat.completions.create({ model: 'no-such-group', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe('model_not_found');
    const bad = new OpenAI({ apiKey: 'sk-oe-wrong', baseURL: `${gw.url}/v1`, maxRetries: 0 });
    expect(await bad.chat.completions.create({ model: 'e2e-errors', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('e2e-errors');
  });

  // The upstream keeps sending (one event per 50 ms, ~30 s in all): the client leaving must stop it
  // at once, so no more tokens are paid for. (A fully stalled upstream under `wrangler dev` is only
  // noticed at the next write; the idle timeout bounds that case.)
  it('cancels the upstream request when the client goes away mid-stream', async () => {
    const { client, scenarioId } = await setup({ stream: STREAM, gapMs: 50 }, 'e2e-abort');
    const stream = await client.chat.completions.create({ model: 'e2e-abort', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let got = 0;
    // Leaving the loop is how the SDK cancels a stream: it aborts its request.
    for await (const _ of stream) {
      if (++got === 3) break;
    }
    expect(got).toBeGreaterThanOrEqual(3);
    let aborted = false;
    for (let i = 0; i < 60 && !aborted; i++) {
      aborted = upstream.requests(scenarioId)[0]?.aborted === true;
      if (!aborted) await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(aborted).toBe(true);
  });
});

describe('npm start extras', () => {
  it('runs a cron job on /__scheduled (the Worker answers it, not the dashboard)', async () => {
    const res = await fetch(`${gw.url}/__scheduled?cron=30+3+*+*+*`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').not.toContain('text/html');
    const sync = await gw.admin('GET', '/sync');
    expect(sync.json.data.map((s: { key: string }) => s.key)).toContain('log-retention');
  });
});
