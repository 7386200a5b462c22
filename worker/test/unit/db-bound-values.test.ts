/**
 * Every Store query stays within D1's 100 bound values a statement (Cloudflare D1 "Limits") at
 * scale: the SQLite store over better-sqlite3, with `prepare` refusing a statement of more than 100
 * placeholders as D1 does ("too many SQL variables"), driven with hundreds of groups, members,
 * keys, channels, prices, logs and stats rows.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord, StatsDelta } from '../../src/accounting/records';
import * as schema from '../../src/db/schema.sqlite';
import { SqliteStore } from '../../src/db/sqlite-store';
import type { Channel } from '../../src/db/types';

const D1_MAX_BOUND_VALUES = 100;
const N = 300;
const HOUR = 3_600_000;
const T0 = Date.UTC(2027, 0, 5);

/** Placeholders in a statement, string literals left out. */
function placeholders(sql: string): number {
  return (sql.replace(/'(?:[^']|'')*'/g, "''").match(/\?/g) ?? []).length;
}

function record(i: number): RequestRecord {
  return {
    id: `log-${i}`, time: T0 + i, apiKeyId: i + 1, groupName: 'wide', channelId: 1, upstreamModel: 'gpt-4o', protocolIn: 'openai-chat',
    protocolOut: 'openai-chat', stream: false, status: 200, ok: true, attempts: [{ channelId: 1, memberId: 1, upstreamModel: 'gpt-4o', status: 200, ms: 10 }],
    usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 2, reasoning: 0 }, costNanoUsd: 5, latencyMs: 10, ttftMs: 3, error: null,
    requestBody: null, responseBody: null,
  };
}

function delta(i: number): StatsDelta {
  return {
    hour: T0, groupName: 'wide', channelId: 1, upstreamModel: 'gpt-4o', apiKeyId: i + 1, requests: 1, successes: 1, failures: 0,
    inputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 2, reasoningTokens: 0, costNanoUsd: 5, latencyMsTotal: 10, ttftMsTotal: 3,
    attempts: 1, failedAttempts: 0, clientErrors: 0, upstreamErrors: 0, rescues: 0,
  };
}

describe(`every store query binds at most ${D1_MAX_BOUND_VALUES} values, with ${N} of everything`, () => {
  let store: SqliteStore;
  let sqlite: Database.Database;
  let widest = 0;

  beforeAll(() => {
    sqlite = new Database(':memory:');
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((sql: string) => {
      const n = placeholders(sql);
      if (n > D1_MAX_BOUND_VALUES) throw new RangeError(`too many SQL variables: ${n} in ${sql.slice(0, 80)}…`);
      widest = Math.max(widest, n);
      return prepare(sql);
    }) as typeof sqlite.prepare;
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: 'migrations/sqlite' });
    store = new SqliteStore(db, async (queries) => {
      sqlite.transaction(() => {
        for (const q of queries) q.run();
      })();
    });
  });

  it('refuses a statement past the limit (the check itself works)', async () => {
    await expect(store.listLogs({ limit: 1 })).resolves.toEqual([]);
    expect(() => sqlite.prepare(`SELECT ${Array(100).fill('?').join(', ')}, '?'`)).not.toThrow();
    expect(() => sqlite.prepare(`SELECT ${Array(101).fill('?').join(', ')}`)).toThrow(/too many SQL variables/);
  });

  it('writes and reads channels, groups with many members, keys and prices', async () => {
    const channels: Channel[] = [];
    for (let i = 0; i < N; i++) {
      channels.push(await store.createChannel({ name: `c-${i}`, type: 'openai-chat', baseUrl: 'https://x.example/v1', keys: [], models: [], headers: {}, modelFilter: null, enabled: true }));
    }
    const members = (n: number) => channels.slice(0, n).map((c, i) => ({ channelId: c.id, upstreamModel: `m-${i}`, priority: i, weight: 1, enabled: true }));
    const wide = await store.createGroup({ name: 'wide', mode: 'failover', settings: {}, enabled: true, members: members(N) });
    expect(wide.members).toHaveLength(N);
    expect((await store.updateGroup(wide.id, { members: members(N - 1) }))!.members).toHaveLength(N - 1);
    for (let i = 0; i < N; i++) await store.createGroup({ name: `g-${i}`, mode: 'round-robin', settings: {}, enabled: true, members: members(1) });
    for (let i = 0; i < N; i++) {
      await store.createApiKey({ name: `k-${i}`, keyHash: `h-${String(i).padStart(6, '0')}`.padEnd(64, '0'), keyPrefix: 'sk-', expiresAt: null, allowedGroups: [`g-${i}`], budgetNanoUsd: null, rpmLimit: null, tpmLimit: null, enabled: true });
    }
    expect(await store.listChannels()).toHaveLength(N);
    const groups = await store.listGroups();
    expect(groups).toHaveLength(N + 1);
    expect(groups[0]!.members).toHaveLength(N - 1);
    expect((await store.findRoute('wide'))!.channels.size).toBe(N - 1);
    expect(await store.listApiKeys()).toHaveLength(N);

    const prices = Array.from({ length: 3 * N }, (_, i) => ({ provider: 'p', model: `m-${i}`, price: { input: i, output: i, cacheRead: 0, cacheWrite: 0 } }));
    await store.replaceModelsDevPrices(prices, T0);
    expect((await store.loadPrices()).modelsDev).toHaveLength(3 * N);
  });

  it(`flushes ${N} logs and ${N} distinct stats rows in one atomic unit, and reads them back`, async () => {
    const logs = Array.from({ length: N }, (_, i) => record(i));
    expect(await store.applyFlush('wide-flush', T0, logs, logs.map((_, i) => delta(i)))).toBe('applied');
    expect(await store.applyFlush('wide-flush', T0, logs, logs.map((_, i) => delta(i)))).toBe('duplicate');
    expect(await store.listLogs({ limit: 500 })).toHaveLength(N);
    const byKey = await store.statsSeries(T0, T0 + HOUR, 'hour', 'key');
    expect(byKey).toHaveLength(N);
    expect(byKey.every((r) => r.requests === 1)).toBe(true);
    expect((await store.statsSummary(T0, T0 + HOUR)).total!.requests).toBe(N);
    expect((await store.keyUsage(N, T0, T0 + HOUR)).requests).toBe(1);
    expect(await store.deleteLogsBefore(T0 + N)).toBe(N);
    expect(widest).toBeGreaterThan(50);
    expect(widest).toBeLessThanOrEqual(D1_MAX_BOUND_VALUES);
  });
});
