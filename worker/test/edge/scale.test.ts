/** The scale suite (worker/test/suites/scale.ts) against the Worker, plus the Durable Object storage limits it meets. */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/accounting/records';
import { FLUSH_MAX_RECORDS } from '../../src/accounting/flusher';
import { EDGE_FLUSH_MAX_BYTES, EDGE_FLUSH_MAX_RECORDS } from '../../src/edge/group-object';
import { STORAGE_KEYS_PER_CALL } from '../../src/edge/storage-keys';
import { scaleSuite } from '../suites/scale';
import { uid } from '../suites/harness';
import { edgeHarness } from './harness';

scaleSuite(edgeHarness);

/**
 * A storage transaction that refuses a multi-key call of more than STORAGE_KEYS_PER_CALL keys, as
 * production does (the local runtime accepts any number).
 */
function strictTxn(txn: DurableObjectTransaction): DurableObjectTransaction {
  return new Proxy(txn, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (Array.isArray(args[0]) && args[0].length > STORAGE_KEYS_PER_CALL) throw new RangeError(`${String(prop)}: more than ${STORAGE_KEYS_PER_CALL} keys`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A buffered record of `groupName`, as the group object stores it; `bodyBytes` of request body. */
function bufferedRecord(groupName: string, i: number, now: number, bodyBytes = 0): RequestRecord {
  return {
    id: `${groupName}-${i}`, time: now + i, apiKeyId: i + 1, groupName, channelId: 1, upstreamModel: 'gpt-4.1-nano', protocolIn: 'openai-chat',
    protocolOut: 'openai-chat', stream: false, status: 200, ok: true, attempts: [], usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 },
    costNanoUsd: 0, latencyMs: 5, ttftMs: null, error: null, requestBody: bodyBytes > 0 ? 'x'.repeat(bodyBytes) : null, responseBody: null,
  };
}

describe('group Durable Object at scale', () => {
  it('writes a big buffer to D1 in bounded batches, and a failed batch is retried without loss or double count', async () => {
    // 180 records, 8 of them with a 100 KB body: batches are cut by records and by bytes.
    const n = 180;
    const groupName = `do-chunks-${uid()}`;
    const stub = env.GROUPS.get(env.GROUPS.idFromName(`group:${910_000 + Math.floor(Math.random() * 1000)}`));
    const now = Date.now();
    const batches: { records: number; bytes: number }[] = [];
    await runInDurableObject(stub, async (object, state) => {
      for (let i = 0; i < n; i++) {
        const r = bufferedRecord(groupName, i, now, i >= 100 && i < 108 ? 100_000 : 0);
        await state.storage.put(`rec:${String(r.time).padStart(15, '0')}:${r.id}`, r);
      }
      // Count every D1 batch the flush writes; the second one fails once.
      const store = (object as any).store();
      const apply = store.applyFlush.bind(store);
      let calls = 0;
      store.applyFlush = async (id: string, at: number, logs: RequestRecord[], stats: unknown[]) => {
        calls++;
        batches.push({ records: logs.length, bytes: logs.reduce((b, r) => b + JSON.stringify(r).length, 0) });
        if (calls === 2) throw new Error('D1 is down');
        return apply(id, at, logs, stats);
      };
      await object.alarm();
      // The first batch is written, the failed one is pending (tried once), the rest still buffered.
      const pending = await state.storage.get<any>('pending-flush');
      expect(pending.tries).toBe(1);
      expect(pending.records).toHaveLength(batches[1]!.records);
      expect((await state.storage.list({ prefix: 'rec:' })).size).toBe(n - batches[0]!.records - batches[1]!.records);
      expect(await state.storage.getAlarm()).not.toBeNull();
      // The retry writes the pending batch (same id) and then the rest.
      await object.alarm();
      expect(await state.storage.get('pending-flush')).toBeUndefined();
      expect((await state.storage.list({ prefix: 'rec:' })).size).toBe(0);
    });
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(n / EDGE_FLUSH_MAX_RECORDS) + 1);
    for (const b of batches) {
      expect(b.records).toBeLessThanOrEqual(EDGE_FLUSH_MAX_RECORDS);
      // A batch stays within the byte bound unless one record alone exceeds it.
      if (b.records > 1) expect(b.bytes).toBeLessThanOrEqual(EDGE_FLUSH_MAX_BYTES);
    }
    // Records written: every batch that did not fail, once each (the failed one was retried whole).
    expect(batches.reduce((t, b, i) => t + (i === 1 ? 0 : b.records), 0)).toBe(n);
    const logs = await env.DB.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM request_logs WHERE group_name = ?').bind(groupName).first<{ n: number; ids: number }>();
    expect(logs).toEqual({ n, ids: n });
    const stats = await env.DB.prepare('SELECT SUM(requests) AS requests, SUM(input_tokens) AS input FROM stats_hourly WHERE group_name = ?').bind(groupName).first<{ requests: number; input: number }>();
    expect(stats).toEqual({ requests: n, input: n });
  });


  it('moves a buffer of more keys than one storage call takes into a flush, and D1 gets every record', async () => {
    const n = Math.min(FLUSH_MAX_RECORDS, STORAGE_KEYS_PER_CALL + 40);
    const groupName = `do-scale-${uid()}`;
    const stub = env.GROUPS.get(env.GROUPS.idFromName(`group:${900_000 + Math.floor(Math.random() * 1000)}`));
    const now = Date.now();
    await runInDurableObject(stub, async (object, state) => {
      for (let i = 0; i < n; i++) {
        const r: RequestRecord = {
          id: `${groupName}-${i}`, time: now + i, apiKeyId: i + 1, groupName, channelId: 1, upstreamModel: 'gpt-4.1-nano', protocolIn: 'openai-chat',
          protocolOut: 'openai-chat', stream: false, status: 200, ok: true, attempts: [], usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 },
          costNanoUsd: 0, latencyMs: 5, ttftMs: null, error: null, requestBody: null, responseBody: null,
        };
        await state.storage.put(`rec:${String(r.time).padStart(15, '0')}:${r.id}`, r);
      }
      const transaction = state.storage.transaction.bind(state.storage);
      state.storage.transaction = ((fn: (txn: DurableObjectTransaction) => Promise<unknown>) => transaction((txn) => fn(strictTxn(txn)))) as typeof state.storage.transaction;
      await object.alarm();
      expect((await state.storage.list({ prefix: 'rec:' })).size).toBe(0);
      expect(await state.storage.get('pending-flush')).toBeUndefined();
    });
    const logs = await env.DB.prepare('SELECT COUNT(*) AS n FROM request_logs WHERE group_name = ?').bind(groupName).first<{ n: number }>();
    expect(logs!.n).toBe(n);
    const stats = await env.DB.prepare('SELECT COUNT(*) AS n, SUM(requests) AS requests FROM stats_hourly WHERE group_name = ?').bind(groupName).first<{ n: number; requests: number }>();
    expect(stats).toMatchObject({ requests: n });
    expect(stats!.n).toBeGreaterThanOrEqual(n);
  });
});
