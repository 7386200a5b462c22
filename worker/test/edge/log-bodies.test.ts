/** The "log bodies" setting: request and response bodies in the request log, cut to the size setting. */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, gateway, login, routeTo, scenario } from './helpers';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt';

function chat(key: string, body: object) {
  return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function flush(groupId: number, n: number) {
  const stub = env.GROUPS.get(env.GROUPS.idFromName(`group:${groupId}`)) as unknown as DurableObjectStub;
  const count = async (_o: unknown, state: DurableObjectState) => (await state.storage.list({ prefix: 'rec:' })).size;
  // Records arrive after the responses (waitUntil): on a loaded machine that can take seconds.
  for (let i = 0; i < 750 && (await runInDurableObject(stub, count)) < n; i++) await new Promise((r) => setTimeout(r, 20));
  expect(await runInDurableObject(stub, count)).toBeGreaterThanOrEqual(n);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

describe('log bodies', () => {
  it('keeps no bodies by default, and cut bodies of requests and streams when the setting is on', async () => {
    const cookie = await login();
    const up = await scenario({ json: TEXT_JSON, stream: TEXT_STREAM });
    const r = await routeTo(cookie, [up]);
    const long = 'é'.repeat(400);

    await (await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: 'before' }] })).text();
    expect((await admin(cookie, 'PUT', '/settings', { logBodies: true, logBodyMaxBytes: 256 })).status).toBe(200);
    const plain = await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: long }] });
    const plainText = await plain.text();
    const streamed = await chat(r.clientKey, { model: r.group, stream: true, messages: [{ role: 'user', content: 'short' }] });
    const streamText = await streamed.text();
    // An unknown model is refused before any group: its bodies are logged too.
    expect((await chat(r.clientKey, { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).status).toBe(404);
    await flush(r.groupId, 3);

    const list = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json.data;
    expect(list).toHaveLength(3);
    expect(list[0]).not.toHaveProperty('requestBody');
    const [byTime0, byTime1, byTime2] = [...list].sort((a: any, b: any) => a.time - b.time);
    expect(byTime0.hasBodies).toBe(false);
    expect((await admin(cookie, 'GET', `/logs/${byTime0.id}`)).json).toMatchObject({ requestBody: null, responseBody: null });

    const one = (await admin(cookie, 'GET', `/logs/${byTime1.id}`)).json;
    expect(one.requestBody.startsWith('{"model":')).toBe(true);
    expect(one.requestBody).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(new TextEncoder().encode(one.requestBody.replace(/…\[truncated \d+ bytes\]$/, '')).byteLength).toBeLessThanOrEqual(256);
    expect(one.requestBody).not.toContain('\uFFFD');
    expect(plainText.startsWith(one.responseBody.replace(/…\[truncated \d+ bytes\]$/, ''))).toBe(true);

    const s = (await admin(cookie, 'GET', `/logs/${byTime2.id}`)).json;
    expect(s.stream).toBe(true);
    expect(s.requestBody).toBe(JSON.stringify({ model: r.group, stream: true, messages: [{ role: 'user', content: 'short' }] }));
    const kept = s.responseBody.replace(/…\[truncated \d+ bytes\]$/, '');
    expect(kept.startsWith('data: ')).toBe(true);
    expect(streamText.startsWith(kept)).toBe(true);
    const omitted = Number(/…\[truncated (\d+) bytes\]$/.exec(s.responseBody)![1]);
    expect(new TextEncoder().encode(kept).byteLength + omitted).toBe(new TextEncoder().encode(streamText).byteLength);

    await flush(0, 1);
    const refused = (await admin(cookie, 'GET', '/logs?group=no-such-model&limit=5')).json.data;
    expect(refused).toHaveLength(1);
    expect((await admin(cookie, 'GET', `/logs/${refused[0].id}`)).json.responseBody).toContain('model_not_found');
  });

  it('flushes records with the largest bodies in several batches rather than one value too big to store', async () => {
    const cookie = await login();
    const up = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up]);
    expect((await admin(cookie, 'PUT', '/settings', { logBodies: true, logBodyMaxBytes: 524_288 })).status).toBe(200);
    const big = 'x'.repeat(600_000);
    for (let i = 0; i < 6; i++) await (await chat(r.clientKey, { model: r.group, messages: [{ role: 'user', content: big }] })).text();
    await flush(r.groupId, 6);
    const list = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json.data;
    expect(list).toHaveLength(6);
    const one = (await admin(cookie, 'GET', `/logs/${list[0].id}`)).json;
    expect(one.requestBody).toMatch(/…\[truncated \d+ bytes\]$/);
    expect((await admin(cookie, 'PUT', '/settings', { logBodies: false })).status).toBe(200);
  });
});
