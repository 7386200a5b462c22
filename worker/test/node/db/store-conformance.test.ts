/**
 * Store conformance: the same assertions against SQLite (better-sqlite3), MariaDB/MySQL (mysql2)
 * and PostgreSQL (postgres.js), each opened through openDatabase on a fresh database of its own.
 * Tests in one backend share that database and run in order; each uses its own names, keys and
 * time ranges, so none depends on another's rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/db/store';
import type { ConfigWrite } from '../../../src/db/types';
import { StoreConflictError } from '../../../src/db/store';
import { BACKENDS, openScratch } from './backends';
import { apiKey, channel, counters, DAY, delta, group, HOUR, record } from './fixtures';

/** A cost well past 2^31 nano-USD (5,000 USD). */
const BIG_COST = 5_000_000_000_000;

describe.each(BACKENDS)('store on %s', (type) => {
  let store: Store;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openScratch(type);
    store = opened.store;
    dispose = opened.dispose;
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('creates, reads, updates and deletes channels, JSON fields and booleans intact', async () => {
    const before = Date.now();
    const a = await store.createChannel(channel('ch-a', { modelFilter: '^gpt-', enabled: false }));
    expect(a).toMatchObject({ ...channel('ch-a', { modelFilter: '^gpt-', enabled: false }) });
    expect(a.id).toBeGreaterThan(0);
    expect(a.createdAt).toBeGreaterThanOrEqual(before);
    expect(a.updatedAt).toBe(a.createdAt);
    const b = await store.createChannel(channel('ch-b', { keys: [], models: [], headers: {} }));
    expect(await store.getChannel(a.id)).toEqual(a);
    expect(await store.getChannel(999_999)).toBeNull();
    const listed = (await store.listChannels()).filter((c) => c.name.startsWith('ch-'));
    expect(listed.map((c) => c.name)).toEqual(['ch-a', 'ch-b']);

    const updated = await store.updateChannel(a.id, { baseUrl: 'https://other.example/v1', models: ['m'], enabled: true });
    expect(updated).toMatchObject({ id: a.id, name: 'ch-a', baseUrl: 'https://other.example/v1', models: ['m'], enabled: true, modelFilter: '^gpt-', keys: a.keys });
    expect(updated!.updatedAt).toBeGreaterThanOrEqual(a.updatedAt);
    expect(await store.updateChannel(999_999, { name: 'nobody' })).toBeNull();

    expect(await store.deleteChannel(b.id)).toBe(true);
    expect(await store.deleteChannel(b.id)).toBe(false);
    expect(await store.getChannel(b.id)).toBeNull();
  });

  it('refuses duplicate channel names on create and rename, and compares names exactly', async () => {
    const a = await store.createChannel(channel('dup-channel'));
    await expect(store.createChannel(channel('dup-channel'))).rejects.toBeInstanceOf(StoreConflictError);
    // Same letters, other case: a different name in every dialect.
    const b = await store.createChannel(channel('DUP-Channel'));
    await expect(store.updateChannel(b.id, { name: 'dup-channel' })).rejects.toBeInstanceOf(StoreConflictError);
    expect((await store.getChannel(b.id))!.name).toBe('DUP-Channel');
    expect((await store.getChannel(a.id))!.name).toBe('dup-channel');
  });

  it('creates groups with members, replaces members only when given, refuses duplicate names', async () => {
    const c1 = await store.createChannel(channel('grp-c1'));
    const c2 = await store.createChannel(channel('grp-c2'));
    const g = await store.createGroup(group('grp-1', [c1.id, c2.id], { mode: 'weighted', settings: { stickyTtlMs: 1_000 } }));
    expect(g).toMatchObject({ name: 'grp-1', mode: 'weighted', settings: { stickyTtlMs: 1_000 }, enabled: true });
    expect(g.members.map((m) => [m.groupId, m.channelId, m.upstreamModel, m.priority, m.weight, m.enabled]))
      .toEqual([[g.id, c1.id, 'model-0', 0, 1, true], [g.id, c2.id, 'model-1', 1, 2, true]]);
    expect(await store.getGroup(g.id)).toEqual(g);
    expect(await store.getGroup(999_999)).toBeNull();

    const renamed = await store.updateGroup(g.id, { name: 'grp-1b', enabled: false });
    expect(renamed).toMatchObject({ name: 'grp-1b', enabled: false, mode: 'weighted' });
    expect(renamed!.members).toEqual(g.members);

    const replaced = await store.updateGroup(g.id, { members: [{ channelId: c2.id, upstreamModel: 'x', priority: 5, weight: 9, enabled: false }] });
    expect(replaced!.members.map((m) => [m.channelId, m.upstreamModel, m.priority, m.weight, m.enabled])).toEqual([[c2.id, 'x', 5, 9, false]]);
    const emptied = await store.updateGroup(g.id, { members: [] });
    expect(emptied!.members).toEqual([]);
    expect(await store.updateGroup(999_999, { name: 'nobody' })).toBeNull();

    const other = await store.createGroup(group('grp-2', []));
    await expect(store.createGroup(group('grp-2', [c1.id]))).rejects.toBeInstanceOf(StoreConflictError);
    await expect(store.updateGroup(other.id, { name: 'grp-1b', members: [] })).rejects.toBeInstanceOf(StoreConflictError);
    // The failed update changed nothing.
    expect((await store.getGroup(other.id))!.name).toBe('grp-2');
    expect((await store.listGroups()).filter((x) => x.name.startsWith('grp-')).map((x) => x.name)).toEqual(['grp-1b', 'grp-2']);

    expect(await store.deleteGroup(other.id)).toBe(true);
    expect(await store.deleteGroup(other.id)).toBe(false);
  });

  it('creates no group when its members cannot be written (unknown channel)', async () => {
    await expect(store.createGroup(group('grp-bad', [987_654]))).rejects.toThrow();
    expect((await store.listGroups()).some((g) => g.name === 'grp-bad')).toBe(false);
    expect(await store.findRoute('grp-bad')).toBeNull();
  });

  it('deletes a channel\'s group members with it (cascade)', async () => {
    const keep = await store.createChannel(channel('cascade-keep'));
    const gone = await store.createChannel(channel('cascade-gone'));
    const g = await store.createGroup(group('cascade-g', [keep.id, gone.id, gone.id]));
    expect(g.members).toHaveLength(3);
    expect(await store.deleteChannel(gone.id)).toBe(true);
    const after = await store.getGroup(g.id);
    expect(after!.members.map((m) => m.channelId)).toEqual([keep.id]);
    const route = await store.findRoute('cascade-g');
    expect([...route!.channels.keys()]).toEqual([keep.id]);
  });

  it('records health checks: state on the channel, history newest first and pruned, config version only on a flip', async () => {
    const ch = await store.createChannel({ ...channel('health-a'), healthCheck: { enabled: true, intervalMinutes: 2, model: null, failureThreshold: 2 } });
    const other = await store.createChannel(channel('health-b'));
    expect((await store.getChannel(ch.id))!.healthCheck).toEqual({ enabled: true, intervalMinutes: 2, model: null, failureThreshold: 2 });
    const result = (i: number, ok: boolean, channelId = ch.id) => ({
      channelId, at: DAY + i, ok, latencyMs: 10 + i, status: ok ? 200 : 503, model: 'm', keyId: `k${i}`, error: ok ? null : `HTTP 503 (${i})`,
    });
    const state = (i: number, down: boolean) => ({ failures: down ? 2 : 0, down, downSince: down ? DAY : null, lastAt: DAY + i, lastOk: !down, keyCursor: i });
    const epoch = store.configEpoch;
    const version = await store.configVersion();
    for (let i = 0; i < 5; i++) expect(await store.recordChannelCheck(result(i, i % 2 === 0), state(i, false), { keep: 3, routingChanged: false })).toBe(true);
    expect(store.configEpoch).toBe(epoch);
    expect(await store.configVersion()).toBe(version);
    await store.recordChannelCheck(result(0, true, other.id), state(0, false), { keep: 3, routingChanged: false });
    // Pruned to the newest 3 of that channel; the other channel's row is kept.
    const kept = await store.listChannelChecks({ perChannel: 50, channelId: ch.id });
    expect(kept.map((r) => r.keyId)).toEqual(['k4', 'k3', 'k2']);
    expect(kept[1]).toEqual(result(3, false));
    expect(kept[0]!.ok).toBe(true);
    const all = await store.listChannelChecks({ perChannel: 2 });
    expect(all.filter((r) => r.channelId === ch.id).map((r) => r.keyId)).toEqual(['k4', 'k3']);
    expect(all.filter((r) => r.channelId === other.id)).toHaveLength(1);
    // A flip is a configuration write; the state is stored as given and updated_at is left alone.
    await store.recordChannelCheck(result(5, false), state(5, true), { keep: 3, routingChanged: true });
    expect(store.configEpoch).toBe(epoch + 1);
    expect(await store.configVersion()).not.toBe(version);
    const after = await store.getChannel(ch.id);
    expect(after!.healthState).toEqual(state(5, true));
    expect(after!.updatedAt).toBe(ch.updatedAt);
    // A patch may clear the state; a deleted channel records nothing, and its history goes with it.
    expect((await store.updateChannel(ch.id, { healthState: null }))!.healthState).toBeNull();
    expect(await store.deleteChannel(ch.id)).toBe(true);
    expect(await store.recordChannelCheck(result(6, true), state(6, false), { keep: 3, routingChanged: false })).toBe(false);
    expect(await store.listChannelChecks({ perChannel: 50, channelId: ch.id })).toEqual([]);
  });

  it('finds a route with its members\' channels, by exact name', async () => {
    const c1 = await store.createChannel(channel('route-c1'));
    const c2 = await store.createChannel(channel('route-c2', { type: 'anthropic' }));
    const g = await store.createGroup(group('route-g', [c2.id, c1.id, c2.id]));
    const route = await store.findRoute('route-g');
    expect(route!.group).toEqual(g);
    expect([...route!.channels.keys()].sort()).toEqual([c1.id, c2.id].sort());
    expect(route!.channels.get(c2.id)).toEqual(c2);

    const lonely = await store.createGroup(group('route-empty', []));
    const empty = await store.findRoute('route-empty');
    expect(empty!.group).toEqual(lonely);
    expect(empty!.channels.size).toBe(0);

    expect(await store.findRoute('ROUTE-G')).toBeNull();
    expect(await store.findRoute('no-such-group')).toBeNull();
  });

  it('stores API keys with big budgets and times, finds them by hash, patches and touches them', async () => {
    const expiresAt = DAY + 30 * 24 * HOUR;
    const k = await store.createApiKey(apiKey('key-a', {
      expiresAt, allowedGroups: ['g1', 'g2'], budgetNanoUsd: BIG_COST, rpmLimit: 60, tpmLimit: 5_000_000_000,
    }));
    expect(k).toMatchObject({ name: 'key-a', expiresAt, allowedGroups: ['g1', 'g2'], budgetNanoUsd: BIG_COST, rpmLimit: 60, tpmLimit: 5_000_000_000, enabled: true, lastUsedAt: null });
    expect(await store.getApiKey(k.id)).toEqual(k);
    expect(await store.findApiKeyByHash(k.keyHash)).toEqual(k);
    expect(await store.findApiKeyByHash(k.keyHash.toUpperCase())).toBeNull();
    expect(await store.getApiKey(999_999)).toBeNull();

    const plain = await store.createApiKey(apiKey('key-b'));
    expect(plain.allowedGroups).toBeNull();
    expect((await store.listApiKeys()).filter((x) => x.name.startsWith('key-')).map((x) => x.name)).toEqual(['key-a', 'key-b']);

    const patched = await store.updateApiKey(k.id, { allowedGroups: null, budgetNanoUsd: null, enabled: false, name: 'key-a2' });
    expect(patched).toMatchObject({ id: k.id, name: 'key-a2', allowedGroups: null, budgetNanoUsd: null, enabled: false, rpmLimit: 60, keyHash: k.keyHash });
    expect(await store.updateApiKey(k.id, {})).toEqual(patched);
    expect(await store.updateApiKey(999_999, { name: 'x' })).toBeNull();

    await store.touchApiKey(k.id, DAY + 123);
    expect((await store.getApiKey(k.id))!.lastUsedAt).toBe(DAY + 123);

    expect(await store.deleteApiKey(plain.id)).toBe(true);
    expect(await store.deleteApiKey(plain.id)).toBe(false);
    expect(await store.findApiKeyByHash(plain.keyHash)).toBeNull();
  });

  it('keeps one admin password hash and admin sessions', async () => {
    expect(await store.getAdminPasswordHash()).toBeNull();
    await store.setAdminPasswordHash('pbkdf2$1$a$b', DAY);
    await store.setAdminPasswordHash('pbkdf2$2$c$d', DAY + 1);
    expect(await store.getAdminPasswordHash()).toBe('pbkdf2$2$c$d');

    await store.createSession('s1'.padEnd(64, 'a'), DAY, DAY + 7 * 24 * HOUR);
    await store.createSession('s2'.padEnd(64, 'a'), DAY, DAY + HOUR);
    expect(await store.findSession('s1'.padEnd(64, 'a'))).toBe(DAY + 7 * 24 * HOUR);
    expect(await store.findSession('nope')).toBeNull();
    await store.deleteSession('s1'.padEnd(64, 'a'));
    expect(await store.findSession('s1'.padEnd(64, 'a'))).toBeNull();
    expect(await store.findSession('s2'.padEnd(64, 'a'))).toBe(DAY + HOUR);
    await store.deleteAllSessions();
    expect(await store.findSession('s2'.padEnd(64, 'a'))).toBeNull();
  });

  it('counts login attempts in a window, restarts it when stale, and clears it', async () => {
    const w = 60_000;
    expect(await store.countLoginAttempt('10.0.0.1', DAY, w)).toEqual({ attempts: 1, windowStart: DAY });
    expect(await store.countLoginAttempt('10.0.0.1', DAY + 10, w)).toEqual({ attempts: 2, windowStart: DAY });
    expect(await store.countLoginAttempt('10.0.0.1', DAY + 20, w)).toEqual({ attempts: 3, windowStart: DAY });
    // Another key has its own window.
    expect(await store.countLoginAttempt('10.0.0.2', DAY + 20, w)).toEqual({ attempts: 1, windowStart: DAY + 20 });
    // windowMs after the start, the window restarts at 1.
    expect(await store.countLoginAttempt('10.0.0.1', DAY + w, w)).toEqual({ attempts: 1, windowStart: DAY + w });
    expect(await store.countLoginAttempt('10.0.0.1', DAY + w + 1, w)).toEqual({ attempts: 2, windowStart: DAY + w });
    await store.clearThrottle('10.0.0.1');
    expect(await store.countLoginAttempt('10.0.0.1', DAY + w + 2, w)).toEqual({ attempts: 1, windowStart: DAY + w + 2 });
  });

  it('counts 20 parallel login attempts as 1..20, each once', async () => {
    const now = DAY + 5 * HOUR;
    const results = await Promise.all(Array.from({ length: 20 }, () => store.countLoginAttempt('parallel', now, 60_000)));
    expect(results.map((r) => r.attempts).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.windowStart))).toEqual(new Set([now]));
  });

  it('applies a flush once: logs inserted, stats added to existing rows, replays are duplicates', async () => {
    const h = DAY + 100 * HOUR;
    const big = delta(h, { groupName: 'flush-g', costNanoUsd: BIG_COST, inputTokens: 3_000_000_000, latencyMsTotal: 2_500_000_000 });
    expect(await store.applyFlush('flush-1', h, [record('flush-log-1', h + 1, { groupName: 'flush-g' })], [big])).toBe('applied');
    expect(await store.applyFlush('flush-1', h, [record('flush-log-1', h + 1, { groupName: 'flush-g' })], [big])).toBe('duplicate');
    // A later flush adds to the same stats row; a log id seen before is not written twice.
    expect(await store.applyFlush('flush-2', h, [record('flush-log-1', h + 1, { groupName: 'flush-g', status: 500 }), record('flush-log-2', h + 2, { groupName: 'flush-g' })], [big])).toBe('applied');

    const series = await store.statsSeries(h, h + HOUR, 'hour', 'group');
    expect(series).toEqual([{ bucket: h, key: 'flush-g', ...counters(big), untrackedRequests: 0, untrackedSuccesses: 0, untrackedFailures: 0, requests: 2, successes: 2, inputTokens: 6_000_000_000, outputTokens: 100, costNanoUsd: 2 * BIG_COST, latencyMsTotal: 5_000_000_000, cacheReadTokens: 20, cacheWriteTokens: 10, reasoningTokens: 14, ttftMsTotal: 160, attempts: 2 }]);
    const logs = await store.listLogs({ limit: 10, groupName: 'flush-g' });
    expect(logs.map((l) => [l.id, l.status])).toEqual([['flush-log-2', 200], ['flush-log-1', 200]]);
    // An empty flush is applied (its id recorded) too.
    expect(await store.applyFlush('flush-empty', h, [], [])).toBe('applied');
    expect(await store.applyFlush('flush-empty', h, [], [])).toBe('duplicate');
  });

  it('writes nothing of a flush that fails, and the same id applies later', async () => {
    const h = DAY + 200 * HOUR;
    const good = record('atomic-log-ok', h, { groupName: 'atomic-g' });
    const badLog = record('atomic-log-bad', h, { groupName: 'atomic-g', protocolIn: null as never });
    await expect(store.applyFlush('atomic-1', h, [good, badLog], [delta(h, { groupName: 'atomic-g' })])).rejects.toThrow();
    // A failing stats row after the logs and a good stats row.
    const badStat = delta(h, { groupName: null as never });
    await expect(store.applyFlush('atomic-2', h, [good], [delta(h, { groupName: 'atomic-g' }), badStat])).rejects.toThrow();
    expect(await store.getLog('atomic-log-ok')).toBeNull();
    expect(await store.statsSeries(h, h + HOUR, 'hour')).toEqual([]);

    expect(await store.applyFlush('atomic-2', h, [good], [delta(h, { groupName: 'atomic-g' })])).toBe('applied');
    expect((await store.getLog('atomic-log-ok'))!.id).toBe('atomic-log-ok');
    expect((await store.statsSeries(h, h + HOUR, 'hour')).map((r) => r.requests)).toEqual([1]);
  });

  it('applies one flush id once when two writers race', async () => {
    const h = DAY + 300 * HOUR;
    const logs = [record('race-log', h, { groupName: 'race-g' })];
    const stats = [delta(h, { groupName: 'race-g', requests: 3 })];
    const results = await Promise.all([store.applyFlush('race', h, logs, stats), store.applyFlush('race', h, logs, stats)]);
    expect(results.sort()).toEqual(['applied', 'duplicate']);
    expect((await store.statsSeries(h, h + HOUR, 'hour')).map((r) => r.requests)).toEqual([3]);
  });

  it('lists logs newest first with filters, limit and `before`; reads one log back whole', async () => {
    // Earlier than every other test's logs, so the unfiltered lists below see only these.
    const t0 = DAY - 1_000 * HOUR;
    const recs = [
      record('log-a', t0, { groupName: 'logs-g', apiKeyId: 7, channelId: 3, status: 200 }),
      record('log-b', t0 + 1000, { groupName: 'logs-g', apiKeyId: 8, channelId: 3, status: 502, ok: false, error: 'upstream 502', ttftMs: null, usage: null, costNanoUsd: BIG_COST }),
      record('log-c', t0 + 1000, { groupName: 'logs-g', apiKeyId: 7, channelId: 4, status: 200, stream: false, protocolOut: null }),
      record('log-d', t0 + 2000, { groupName: 'logs-h', apiKeyId: 7, channelId: 3, status: 429, ok: false, error: 'rate limited' }),
    ];
    expect(await store.applyFlush('logs-flush', t0, recs, [])).toBe('applied');

    const ids = async (opts: Parameters<Store['listLogs']>[0]) => (await store.listLogs(opts)).map((r) => r.id);
    // Same time: higher id first.
    expect(await ids({ limit: 10, before: t0 + 3000 })).toEqual(['log-d', 'log-c', 'log-b', 'log-a']);
    expect(await ids({ limit: 2, before: t0 + 3000 })).toEqual(['log-d', 'log-c']);
    expect(await ids({ limit: 10, before: t0 + 1000 })).toEqual(['log-a']);
    expect(await ids({ limit: 10, groupName: 'logs-g' })).toEqual(['log-c', 'log-b', 'log-a']);
    expect(await ids({ limit: 10, apiKeyId: 7, before: t0 + 3000 })).toEqual(['log-d', 'log-c', 'log-a']);
    expect(await ids({ limit: 10, channelId: 3, groupName: 'logs-g' })).toEqual(['log-b', 'log-a']);
    expect(await ids({ limit: 10, statuses: [{ min: 429, max: 429 }] })).toEqual(['log-d']);

    expect(await store.getLog('log-a')).toEqual(recs[0]);
    // No usage is stored as zeros; `ok` is derived from status and error.
    expect(await store.getLog('log-b')).toEqual({ ...recs[1], usage: { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 } });
    expect(await store.getLog('log-c')).toEqual(recs[2]);
    expect(await store.getLog('no-such-log')).toBeNull();
  });

  it('searches logs: text (id, group, model, error; any case; wildcards literal), range, errors, any-attempt channel, status ranges, keyset pages', async () => {
    const t0 = DAY - 3_000 * HOUR;
    const att = (...chs: [number, number][]) => chs.map(([channelId, status]) => ({ channelId, memberId: 1, upstreamModel: 'm', status, ms: 5 }));
    const recs = [
      record('s-1', t0, { groupName: 'srch-Alpha', upstreamModel: 'Claude-X', channelId: 31, attempts: att([30, 500], [31, 200]) }),
      record('s-2', t0 + 10, { groupName: 'srch-beta', upstreamModel: 'gpt_5', channelId: 32, status: 429, ok: false, error: 'Rate 100% used', attempts: att([32, 429]) }),
      record('s-3', t0 + 10, { groupName: 'srch-beta', upstreamModel: 'gpt-5', channelId: 310, status: 200, ok: false, error: 'stream broke, "mid-way"', attempts: att([310, 200]) }),
      record('s-4', t0 + 20, { groupName: 'srch-gamma', upstreamModel: 'gemini', channelId: 3, status: 503, ok: false, error: 'all down', attempts: att([3, 503]) }),
    ];
    expect(await store.applyFlush('search-flush', t0, recs, [])).toBe('applied');
    const range = { from: t0, to: t0 + 21 };
    const ids = async (f: Partial<Parameters<Store['listLogs']>[0]>) => (await store.listLogs({ limit: 10, ...range, ...f })).map((r) => r.id);
    expect(await ids({})).toEqual(['s-4', 's-3', 's-2', 's-1']);
    // Any attempt: 30 only failed over; 3 must not match 30, 31 or 310.
    expect(await ids({ channelId: 30 })).toEqual(['s-1']);
    expect(await ids({ channelId: 31 })).toEqual(['s-1']);
    expect(await ids({ channelId: 3 })).toEqual(['s-4']);
    expect(await ids({ channelId: 310 })).toEqual(['s-3']);
    expect(await ids({ statuses: [{ min: 400, max: 499 }] })).toEqual(['s-2']);
    expect(await ids({ statuses: [{ min: 429, max: 429 }, { min: 500, max: 599 }] })).toEqual(['s-4', 's-2']);
    expect(await ids({ statuses: [{ min: 200, max: 299 }] })).toEqual(['s-3', 's-1']);
    // Errors: non-2xx, or an error after a 200 (a broken stream).
    expect(await ids({ errorsOnly: true })).toEqual(['s-4', 's-3', 's-2']);
    expect(await ids({ text: 'ALPHA' })).toEqual(['s-1']);
    expect(await ids({ text: 'claude-x' })).toEqual(['s-1']);
    expect(await ids({ text: 's-2' })).toEqual(['s-2']);
    expect(await ids({ text: 'BROKE, "MID' })).toEqual(['s-3']);
    expect(await ids({ text: '100%' })).toEqual(['s-2']);
    expect(await ids({ text: '%' })).toEqual(['s-2']);
    expect(await ids({ text: 'gpt_' })).toEqual(['s-2']);
    expect(await ids({ text: 'srch_' })).toEqual([]);
    expect(await ids({ text: 'x!' })).toEqual([]);
    expect(await ids({ from: t0 + 10, to: t0 + 20 })).toEqual(['s-3', 's-2']);
    // Keyset pages through a shared millisecond: nothing lost, nothing twice.
    const p1 = await store.listLogs({ limit: 2, ...range });
    expect(p1.map((r) => r.id)).toEqual(['s-4', 's-3']);
    expect(await ids({ before: p1[1]!.time, beforeId: p1[1]!.id })).toEqual(['s-2', 's-1']);
    expect(await ids({ before: p1[1]!.time, beforeId: p1[1]!.id, errorsOnly: true })).toEqual(['s-2']);
  });

  it('keeps request and response bodies of a log (and the body sent upstream), large and non-ASCII ones too', async () => {
    const t0 = DAY - 2_000 * HOUR;
    const requestBody = JSON.stringify({ model: 'g', messages: [{ role: 'user', content: 'héllo 👋 '.repeat(20_000) }] });
    const responseBody = 'data: {"x":"日本語"}\n\n'.repeat(5_000);
    const upstreamRequestBody = JSON.stringify({ model: 'claude', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'héllo 👋 '.repeat(20_000) }] }] });
    const rec = record('bodies-1', t0, { groupName: 'bodies-g', requestBody, responseBody, upstreamRequestBody });
    expect(await store.applyFlush('bodies-flush', t0, [rec, record('bodies-2', t0 + 1, { groupName: 'bodies-g' })], [])).toBe('applied');
    expect(await store.getLog('bodies-1')).toEqual(rec);
    const listed = await store.listLogs({ limit: 10, groupName: 'bodies-g' });
    // A list never reads the bodies; it says which rows have some.
    expect(listed.map((r) => [r.id, r.hasBodies, r.requestBody, r.responseBody, r.upstreamRequestBody])).toEqual([['bodies-2', false, null, null, null], ['bodies-1', true, null, null, null]]);
    const onlyResponse = record('bodies-3', t0 + 2, { groupName: 'bodies-g', responseBody: '{}' });
    expect(await store.applyFlush('bodies-flush-3', t0, [onlyResponse], [])).toBe('applied');
    expect((await store.listLogs({ limit: 1, groupName: 'bodies-g' }))[0]).toMatchObject({ id: 'bodies-3', hasBodies: true, responseBody: null });
  });

  it('stores a NUL character in a body or error as U+FFFD instead of failing the flush', async () => {
    const t0 = DAY - 3_000 * HOUR;
    const rec = record('nul-1', t0, { requestBody: 'a\u0000b', responseBody: '\u0000', error: 'bad\u0000', status: 502, ok: false });
    expect(await store.applyFlush('nul-flush', t0, [rec], [])).toBe('applied');
    expect(await store.getLog('nul-1')).toEqual({ ...rec, requestBody: 'a\uFFFDb', responseBody: '\uFFFD', error: 'bad\uFFFD' });
  });

  /** An empty configuration write (store.applyConfig), to fill in. */
  const emptyWrite = (): ConfigWrite => ({
    channels: { insert: [], update: [], delete: [] }, groups: { insert: [], update: [], delete: [] },
    apiKeys: { insert: [], update: [], delete: [] }, prices: { put: [], delete: [] },
  });

  it('applies a configuration write atomically: a failing last insert leaves every earlier delete and update undone', async () => {
    const gone = await store.createChannel(channel('cw-gone'));
    const kept = await store.createChannel(channel('cw-kept'));
    const key = await store.createApiKey(apiKey('cw-key'));
    const w = emptyWrite();
    w.channels.delete = [gone.id];
    w.channels.update = [{ ...channel('cw-kept', { models: ['changed'] }), id: kept.id }];
    w.groups.insert = [{ ...group('cw-group', [kept.id]), id: 990_001 }];
    w.prices.put = [{ model: 'cw-model', input: 1, output: 2, cacheRead: 1, cacheWrite: 1 }];
    // The last statement breaks: an id already taken.
    w.apiKeys.insert = [{ ...apiKey('cw-clash', { keyHash: 'f'.repeat(64) }), id: key.id, createdAt: 1, lastUsedAt: null }];
    await expect(store.applyConfig(w, Date.now())).rejects.toBeInstanceOf(StoreConflictError);
    expect(await store.getChannel(gone.id)).not.toBeNull();
    expect((await store.getChannel(kept.id))!.models).toEqual(kept.models);
    expect((await store.listGroups()).some((g) => g.name === 'cw-group')).toBe(false);
    expect((await store.loadPrices()).user.has('cw-model')).toBe(false);
  });

  it('applies a configuration write with explicit ids, and later creates get ids past them', async () => {
    const epoch = store.configEpoch;
    const w = emptyWrite();
    const high = 995_000;
    w.channels.insert = [{ ...channel('cw-high'), id: high }];
    w.groups.insert = [{ ...group('cw-high-group', [high]), id: high }];
    w.apiKeys.insert = [{ ...apiKey('cw-high-key', { keyHash: 'e'.repeat(64) }), id: high, createdAt: 5, lastUsedAt: null }];
    w.settings = { logRetentionDays: 9 };
    await store.applyConfig(w, Date.now());
    expect(store.configEpoch).toBeGreaterThan(epoch);
    expect((await store.getChannel(high))!.name).toBe('cw-high');
    expect((await store.getGroup(high))!.members.map((m) => m.channelId)).toEqual([high]);
    expect((await store.getApiKey(high))!.createdAt).toBe(5);
    expect(await store.getSetting('gateway')).toEqual({ logRetentionDays: 9 });
    expect((await store.createChannel(channel('cw-after'))).id).toBeGreaterThan(high);
    expect((await store.createGroup(group('cw-after-group', []))).id).toBeGreaterThan(high);
    expect((await store.createApiKey(apiKey('cw-after-key', { keyHash: 'd'.repeat(64) }))).id).toBeGreaterThan(high);
  });

  it('deletes logs older than a time and says how many', async () => {
    const old = 500_000_000_000;
    await store.applyFlush('old-logs', old, [record('old-1', old), record('old-2', old + 1), record('old-3', old + 10)], []);
    expect(await store.deleteLogsBefore(old + 10)).toBe(2);
    expect(await store.getLog('old-2')).toBeNull();
    expect((await store.getLog('old-3'))!.id).toBe('old-3');
    expect(await store.deleteLogsBefore(old + 10)).toBe(0);
  });

  it('keeps user prices apart from models.dev prices, which are replaced wholesale', async () => {
    const price = (n: number) => ({ input: n, output: 2 * n, cacheRead: n / 10, cacheWrite: n * 1.25 });
    await store.setUserPrice('my-model', price(3_000_000_000), DAY);
    await store.setUserPrice('my-model', price(4_000_000_000), DAY + 1);
    await store.setUserPrice('other', price(1_000), DAY);
    // More rows than one insert chunk holds in every dialect's SQLite limit (14 a statement).
    const dev = Array.from({ length: 40 }, (_, i) => ({ provider: i % 2 ? 'openai' : 'openrouter', model: `m-${i}`, price: price(1_000 * (i + 1)) }));
    dev.push({ provider: 'openrouter', model: 'openai/gpt-4o', price: price(2_500_000_000) });
    await store.replaceModelsDevPrices(dev, DAY);
    let loaded = await store.loadPrices();
    expect(loaded.user).toEqual(new Map([['my-model', price(4_000_000_000)], ['other', price(1_000)]]));
    const byKey = (xs: typeof dev) => [...xs].sort((a, b) => `${a.provider}/${a.model}`.localeCompare(`${b.provider}/${b.model}`));
    expect(byKey(loaded.modelsDev)).toEqual(byKey(dev));

    await store.replaceModelsDevPrices(dev.slice(0, 2), DAY + 1);
    loaded = await store.loadPrices();
    expect(byKey(loaded.modelsDev)).toEqual(byKey(dev.slice(0, 2)));
    expect(loaded.user.size).toBe(2);

    expect(await store.deleteUserPrice('my-model')).toBe(true);
    expect(await store.deleteUserPrice('my-model')).toBe(false);
    // A models.dev row is not a user price.
    expect(await store.deleteUserPrice('openrouter/m-0')).toBe(false);
    expect([...(await store.loadPrices()).user.keys()]).toEqual(['other']);
  });

  it('records sync state and settings as JSON, overwriting by key', async () => {
    await store.putSyncState('prices', DAY, true, { added: 3 });
    await store.putSyncState('channel:1', DAY, false, { error: 'HTTP 500' });
    await store.putSyncState('prices', DAY + 5, false, 'boom');
    expect(await store.listSyncState()).toEqual([
      { key: 'channel:1', lastRunAt: DAY, ok: false, detail: { error: 'HTTP 500' } },
      { key: 'prices', lastRunAt: DAY + 5, ok: false, detail: 'boom' },
    ]);

    expect(await store.getSetting('missing')).toBeUndefined();
    await store.putSetting('logBodies', { enabled: true, maxBytes: 65_536 }, DAY);
    await store.putSetting('statsSaveIntervalSeconds', 30, DAY);
    await store.putSetting('logBodies', { enabled: false }, DAY + 1);
    expect(await store.getSetting('logBodies')).toEqual({ enabled: false });
    expect(await store.getSetting('statsSaveIntervalSeconds')).toBe(30);
  });

  describe('stats views', () => {
    // Two UTC days: hours 1 and 23 of day 0, hour 2 of day 1 (and one row at `to`, excluded).
    const d0 = DAY + 1_000 * 24 * HOUR;
    const d1 = d0 + 24 * HOUR;
    const rows = [
      delta(d0 + HOUR, { groupName: 'sg-a', channelId: 1, upstreamModel: 'm1', apiKeyId: 1, requests: 2, costNanoUsd: BIG_COST }),
      delta(d0 + HOUR, { groupName: 'sg-b', channelId: 2, upstreamModel: 'm1', apiKeyId: 2, requests: 3, failures: 3, successes: 0 }),
      delta(d0 + 23 * HOUR, { groupName: 'sg-a', channelId: 2, upstreamModel: 'm2', apiKeyId: 1, requests: 5 }),
      delta(d1 + 2 * HOUR, { groupName: 'sg-a', channelId: 1, upstreamModel: 'm2', apiKeyId: 2, requests: 7, costNanoUsd: BIG_COST }),
      delta(d1 + 24 * HOUR, { groupName: 'sg-a', requests: 1_000 }),
    ];
    const to = d1 + 24 * HOUR;
    const sum = (xs: typeof rows) => {
      const out = counters(delta(0, { requests: 0, successes: 0, failures: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: 0, latencyMsTotal: 0, ttftMsTotal: 0, attempts: 0 }));
      for (const x of xs) for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] += x[k];
      return out;
    };
    /** A series row's sums: with the counters of rows from before the breakdown (none here). */
    const sumU = (xs: typeof rows) => ({ ...sum(xs), untrackedRequests: 0, untrackedSuccesses: 0, untrackedFailures: 0 });

    beforeAll(async () => {
      expect(await store.applyFlush('stats-seed', d0, [], rows)).toBe('applied');
    });

    it('sums by hour without a dimension (key "")', async () => {
      expect(await store.statsSeries(d0, to, 'hour')).toEqual([
        { bucket: d0 + HOUR, key: '', ...sumU(rows.slice(0, 2)) },
        { bucket: d0 + 23 * HOUR, key: '', ...sumU([rows[2]!]) },
        { bucket: d1 + 2 * HOUR, key: '', ...sumU([rows[3]!]) },
      ]);
    });

    it('sums by UTC day, per dimension', async () => {
      expect(await store.statsSeries(d0, to, 'day')).toEqual([
        { bucket: d0, key: '', ...sumU(rows.slice(0, 3)) },
        { bucket: d1, key: '', ...sumU([rows[3]!]) },
      ]);
      expect(await store.statsSeries(d0, to, 'day', 'group')).toEqual([
        { bucket: d0, key: 'sg-a', ...sumU([rows[0]!, rows[2]!]) },
        { bucket: d0, key: 'sg-b', ...sumU([rows[1]!]) },
        { bucket: d1, key: 'sg-a', ...sumU([rows[3]!]) },
      ]);
      expect(await store.statsSeries(d0, to, 'day', 'channel')).toEqual([
        { bucket: d0, key: '1', ...sumU([rows[0]!]) },
        { bucket: d0, key: '2', ...sumU([rows[1]!, rows[2]!]) },
        { bucket: d1, key: '1', ...sumU([rows[3]!]) },
      ]);
      expect(await store.statsSeries(d0, to, 'day', 'model')).toEqual([
        { bucket: d0, key: 'm1', ...sumU([rows[0]!, rows[1]!]) },
        { bucket: d0, key: 'm2', ...sumU([rows[2]!]) },
        { bucket: d1, key: 'm2', ...sumU([rows[3]!]) },
      ]);
      expect(await store.statsSeries(d0, to, 'hour', 'key')).toEqual([
        { bucket: d0 + HOUR, key: '1', ...sumU([rows[0]!]) },
        { bucket: d0 + HOUR, key: '2', ...sumU([rows[1]!]) },
        { bucket: d0 + 23 * HOUR, key: '1', ...sumU([rows[2]!]) },
        { bucket: d1 + 2 * HOUR, key: '2', ...sumU([rows[3]!]) },
      ]);
      expect(await store.statsSeries(d0 + 2 * HOUR, d0 + 23 * HOUR, 'day')).toEqual([]);
    });

    it('sums one key\'s usage over a range', async () => {
      expect(await store.keyUsage(1, d0, to)).toEqual(sum([rows[0]!, rows[2]!]));
      expect(await store.keyUsage(2, d0, d1)).toEqual(sum([rows[1]!]));
      expect(await store.keyUsage(99, d0, to)).toEqual(sum([]));
    });

    it('summarises a range in total and per hour', async () => {
      const summary = await store.statsSummary(d0, to);
      const dims = { groupName: '*', channelId: 0, upstreamModel: '*', apiKeyId: 0 };
      const untracked = { untrackedRequests: 0, untrackedSuccesses: 0, untrackedFailures: 0 };
      expect(summary.total).toEqual({ hour: 0, ...dims, ...sum(rows.slice(0, 4)), ...untracked });
      expect(summary.hours).toEqual([
        { hour: d0 + HOUR, ...dims, ...sum(rows.slice(0, 2)), ...untracked },
        { hour: d0 + 23 * HOUR, ...dims, ...sum([rows[2]!]), ...untracked },
        { hour: d1 + 2 * HOUR, ...dims, ...sum([rows[3]!]), ...untracked },
      ]);
      expect(summary.channels).toEqual([
        { channelId: 1, ...sum([rows[0]!, rows[3]!]), ...untracked },
        { channelId: 2, ...sum([rows[1]!, rows[2]!]), ...untracked },
      ]);
      expect(await store.statsSummary(d0 + 2 * HOUR, d0 + 3 * HOUR)).toEqual({ total: null, hours: [], channels: [] });
    });
  });
});
