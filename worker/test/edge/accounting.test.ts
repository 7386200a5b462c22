/**
 * Request logs and hourly stats: the shared accounting suite (worker/test/suites/accounting.ts)
 * against the Worker, plus the Durable Object's own flush protocol: exact to the token under D1
 * failures, replays and object restarts.
 */
import { env } from 'cloudflare:workers';
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { accountingSuite } from '../suites/accounting';
import { edgeHarness } from './harness';
import { gateway, login, routeTo, scenario } from './helpers';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // usage: 16 in, 363 out

function chat(key: string, body: object) {
  return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }) });
}

function stubOf(groupId: number) {
  return env.GROUPS.get(env.GROUPS.idFromName(`group:${groupId}`));
}

/** Waits until the group object holds `n` buffered records (records arrive via waitUntil). */
async function buffered(groupId: number, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const count = await runInDurableObject(stubOf(groupId), async (_o, state) => (await state.storage.list({ prefix: 'rec:' })).size);
    if (count >= n) return;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  throw new Error(`expected ${n} buffered records`);
}

async function totals(group: string) {
  return (await env.DB.prepare('SELECT count(*) AS rows, sum(requests) AS requests, sum(successes) AS successes, sum(failures) AS failures, sum(input_tokens) AS input, sum(output_tokens) AS output FROM stats_hourly WHERE group_name = ?').bind(group).first<any>())!;
}

async function logCount(group: string) {
  return (await env.DB.prepare('SELECT count(*) AS n FROM request_logs WHERE group_name = ?').bind(group).first<{ n: number }>())!.n;
}

accountingSuite(edgeHarness);

describe('the group object flush', () => {
  it('loses nothing and doubles nothing when D1 fails, a flush is replayed, or the object restarts', async () => {
    const cookie = await login();
    const up = await scenario({ json: TEXT_JSON });
    const r = await routeTo(cookie, [up]);
    for (let i = 0; i < 5; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
    await buffered(r.groupId, 5);

    // D1 fails: the flush is kept, pending, with its id.
    await env.DB.prepare('ALTER TABLE stats_hourly RENAME TO stats_hourly_away').run();
    expect(await runDurableObjectAlarm(stubOf(r.groupId))).toBe(true);
    await env.DB.prepare('ALTER TABLE stats_hourly_away RENAME TO stats_hourly').run();
    expect(await logCount(r.group)).toBe(0); // the batch is all or nothing
    const pending = await runInDurableObject(stubOf(r.groupId), (_o, state) => state.storage.get<any>('pending-flush'));
    expect(pending.records).toHaveLength(5);
    expect(pending.tries).toBe(1);

    // More requests arrive, then the object restarts (memory gone, storage kept).
    for (let i = 0; i < 3; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
    await buffered(r.groupId, 3);
    await abortAllDurableObjects();

    // The retry applies the pending flush (same id) and then the rest of the buffer.
    expect(await runDurableObjectAlarm(stubOf(r.groupId))).toBe(true);
    expect(await logCount(r.group)).toBe(8);
    expect(await totals(r.group)).toMatchObject({ requests: 8, input: 16 * 8, output: 363 * 8 });

    // A replay of an already-applied flush changes nothing.
    await runInDurableObject(stubOf(r.groupId), async (_o, state) => {
      await state.storage.put('pending-flush', { ...pending, tries: 0 });
      await state.storage.setAlarm(Date.now() + 60_000); // run below by the test, not by the clock
    });
    expect(await runDurableObjectAlarm(stubOf(r.groupId))).toBe(true);
    expect(await totals(r.group)).toMatchObject({ requests: 8, input: 16 * 8, output: 363 * 8 });
    expect(await runInDurableObject(stubOf(r.groupId), (_o, state) => state.storage.get('pending-flush'))).toBeUndefined();
  });
});
