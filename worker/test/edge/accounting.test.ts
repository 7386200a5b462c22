/**
 * Request logs and hourly stats: buffered in the group object, flushed to D1 by its alarm,
 * exact to the token under D1 failures, replays and object restarts.
 */
import { env } from 'cloudflare:workers';
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { admin, gateway, login, routeTo, scenario } from './helpers';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // usage: 16 in, 363 out
const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt'; // usage: 16 in, 300 out

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

describe('request logs and stats', () => {
  it('records every request once, with tokens, statuses and attempts, flushed by the alarm', async () => {
    const cookie = await login();
    const flaky = await scenario({ status: 500, body: 'down' });
    const good = await scenario({ json: TEXT_JSON, stream: TEXT_STREAM });
    const r = await routeTo(cookie, [flaky, good], { mode: 'failover', settings: { breakerThreshold: 100 } });
    for (let i = 0; i < 3; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
    const s = await chat(r.clientKey, { model: r.group, stream: true });
    expect(s.status).toBe(200);
    await s.text();
    // A client fault still leaves a log row.
    expect((await chat(r.clientKey, { model: r.group, messages: 'not-an-array' })).status).toBe(400); // rejected before any group: not logged here
    await buffered(r.groupId, 4);
    expect(await runDurableObjectAlarm(stubOf(r.groupId))).toBe(true);

    expect(await logCount(r.group)).toBe(4);
    const t = await totals(r.group);
    expect(t).toMatchObject({ requests: 4, successes: 4, input: 16 * 4, output: 363 * 3 + 300 });
    // Each request first failed on the flaky channel: 4 failures on its row, none on the good one's.
    const flakyRow = await env.DB.prepare('SELECT requests, failures FROM stats_hourly WHERE group_name = ? AND channel_id = ?').bind(r.group, r.channelIds[0]).first<any>();
    expect(flakyRow).toEqual({ requests: 0, failures: 4 });

    const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=10`)).json;
    expect(logs.data).toHaveLength(4);
    const streamed = logs.data.find((l: any) => l.stream);
    expect(streamed).toMatchObject({ status: 200, channelId: r.channelIds[1], protocolIn: 'openai-chat', protocolOut: 'openai-chat', usage: { input: 16, output: 300 } });
    expect(streamed.attempts.map((a: any) => a.status)).toEqual([500, 200]);
    expect(streamed.ttftMs).toBeGreaterThanOrEqual(0);
    const one = (await admin(cookie, 'GET', `/logs/${streamed.id}`)).json;
    expect(one.id).toBe(streamed.id);
    const summary = (await admin(cookie, 'GET', '/stats/summary')).json;
    expect(summary.total.requests).toBeGreaterThanOrEqual(4);
    const now = Date.now();
    const byChannel = (await admin(cookie, 'GET', `/stats?from=${now - 86_400_000}&to=${now + 3_600_000}&bucket=day&by=channel`)).json.data;
    const goodRow = byChannel.find((x: any) => x.key === String(r.channelIds[1]));
    expect(goodRow).toMatchObject({ requests: 4, successes: 4, inputTokens: 64, outputTokens: 363 * 3 + 300 });
    expect(goodRow.bucket % 86_400_000).toBe(0);
    const byGroup = (await admin(cookie, 'GET', `/stats?from=${now - 86_400_000}&to=${now + 3_600_000}&by=group`)).json.data;
    expect(byGroup.filter((x: any) => x.key === r.group).reduce((n: number, x: any) => n + x.requests, 0)).toBe(4);
    expect((await admin(cookie, 'GET', '/stats?from=10&to=5')).status).toBe(400);
    // The key reads its own usage.
    const usage = (await (await gateway('/v1/usage', { headers: { authorization: `Bearer ${r.clientKey}` } })).json()) as any;
    expect(usage.today).toMatchObject({ requests: 4, inputTokens: 64, outputTokens: 363 * 3 + 300 });
    expect(usage.total.requests).toBe(4);
    expect((await gateway('/v1/usage')).status).toBe(401);
    expect((await admin(cookie, 'GET', '/stats?from=0&to=5&by=colour')).status).toBe(400);
  });

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

  it('records a request no channel could serve, with every attempt', async () => {
    const cookie = await login();
    const a = await scenario({ status: 502, body: 'x' });
    const b = await scenario({ status: 503, body: 'y' });
    const r = await routeTo(cookie, [a, b], { mode: 'failover' });
    expect((await chat(r.clientKey, { model: r.group })).status).toBe(503);
    await buffered(r.groupId, 1);
    await runDurableObjectAlarm(stubOf(r.groupId));
    const logs = (await admin(cookie, 'GET', `/logs?group=${r.group}`)).json.data;
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 503, ok: false, channelId: r.channelIds[1] });
    expect(logs[0].attempts.map((x: any) => x.status)).toEqual([502, 503]);
    expect(await totals(r.group)).toMatchObject({ requests: 1, successes: 0, failures: 2 });
  });

  it('logs requests refused before any group: bad key, unknown model, bad body', async () => {
    const cookie = await login();
    const r = await routeTo(cookie, [await scenario({ json: TEXT_JSON })]);
    const unknown = `nope-${Date.now()}`;
    expect((await chat('sk-oe-wrong', { model: unknown })).status).toBe(401);
    expect((await chat(r.clientKey, { model: unknown })).status).toBe(404);
    expect((await chat(r.clientKey, { model: unknown, messages: 'x' })).status).toBe(400);
    const stub = env.GROUPS.get(env.GROUPS.idFromName('group:0'));
    for (let i = 0; i < 200; i++) {
      const n = await runInDurableObject(stub, async (_o, state) => (await state.storage.list({ prefix: 'rec:' })).size);
      if (n >= 3) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rows = (await env.DB.prepare('SELECT status, api_key_id AS key, error FROM request_logs WHERE group_name = ? ORDER BY status').bind(unknown).all<any>()).results;
    expect(rows.map((x) => x.status)).toEqual([400, 401, 404]);
    expect(rows.find((x) => x.status === 401).key).toBe(0);
    expect(rows.find((x) => x.status === 404).key).toBe(r.keyId);
  });

  it('keeps request logs for the retention set, deleted by the daily cron', async () => {
    const cookie = await login();
    expect((await admin(cookie, 'GET', '/settings')).json).toEqual({ logRetentionDays: 30, statsSaveIntervalSeconds: 60, logBodies: false, logBodyMaxBytes: 65536, priceSyncIntervalHours: 6, modelSyncIntervalHours: 1 });
    expect((await admin(cookie, 'PUT', '/settings', { logRetentionDays: 0 })).status).toBe(400);
    expect((await admin(cookie, 'PUT', '/settings', { logRetentionDays: 2 })).json).toMatchObject({ logRetentionDays: 2, statsSaveIntervalSeconds: 60 });
    const old = Date.now() - 3 * 86_400_000;
    await env.DB.prepare("INSERT INTO request_logs (id, time, protocol_in, status) VALUES ('old-log', ?, 'openai-chat', 200), ('new-log', ?, 'openai-chat', 200)").bind(old, Date.now()).run();
    const { createExecutionContext, createScheduledController, waitOnExecutionContext } = await import('cloudflare:test');
    const worker = (await import('../../src/edge/index')).default;
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '30 3 * * *', scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const ids = (await env.DB.prepare("SELECT id FROM request_logs WHERE id IN ('old-log', 'new-log')").all<{ id: string }>()).results.map((x) => x.id);
    expect(ids).toEqual(['new-log']);
    await admin(cookie, 'PUT', '/settings', { logRetentionDays: 30 });
  });
});
