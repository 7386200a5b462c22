/** The scale suite (worker/test/suites/scale.ts) against the Worker, plus the Durable Object storage limits it meets. */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/accounting/records';
import { FLUSH_MAX_RECORDS } from '../../src/accounting/flusher';
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

describe('group Durable Object at scale', () => {
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
