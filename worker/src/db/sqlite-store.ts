/**
 * Store over the SQLite schema, shared by D1 (edge) and better-sqlite3 (Node).
 * The only dialect difference is how several writes become atomic: D1 has `batch`, better-sqlite3
 * has transactions; the caller passes the right `atomic` function.
 */
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Price } from '../accounting/cost';
import type { ModelsDevPrice } from '../accounting/modelsdev';
import type { RequestRecord, StatsCounters, StatsDelta } from '../accounting/records';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as t from './schema.sqlite';
import { StoreConflictError, type Store } from './store';
import type {
  ApiKey, ApiKeyPatch, Channel, ChannelPatch, ChannelType, Group, GroupMember, GroupMode, GroupPatch,
  NewApiKey, NewChannel, NewGroup, NewGroupMember, Route,
} from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SqliteDb = BaseSQLiteDatabase<'async' | 'sync', any, typeof t>;
/** Runs already-built drizzle queries as one atomic unit. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AtomicRunner = (queries: any[]) => Promise<void>;

type ChannelRow = typeof t.channels.$inferSelect;
type GroupRow = typeof t.groups.$inferSelect;
type MemberRow = typeof t.groupMembers.$inferSelect;
type ApiKeyRow = typeof t.apiKeys.$inferSelect;

function parseJson<T>(text: string | null, fallback: T): T {
  if (text == null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toChannel(r: ChannelRow): Channel {
  return {
    id: r.id, name: r.name, type: r.type as ChannelType, baseUrl: r.baseUrl,
    keys: parseJson(r.keys, []), models: parseJson(r.models, []), headers: parseJson(r.headers, {}),
    modelFilter: r.modelFilter, enabled: r.enabled, createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

function toMember(r: MemberRow): GroupMember {
  return {
    id: r.id, groupId: r.groupId, channelId: r.channelId, upstreamModel: r.upstreamModel,
    priority: r.priority, weight: r.weight, enabled: r.enabled,
  };
}

function toGroup(r: GroupRow, members: MemberRow[]): Group {
  return {
    id: r.id, name: r.name, mode: r.mode as GroupMode, settings: parseJson(r.settings, {}), enabled: r.enabled,
    members: members.map(toMember), createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id, name: r.name, keyHash: r.keyHash, keyPrefix: r.keyPrefix, expiresAt: r.expiresAt,
    allowedGroups: parseJson<string[] | null>(r.allowedGroups, null), budgetNanoUsd: r.budgetNanoUsd,
    rpmLimit: r.rpmLimit, tpmLimit: r.tpmLimit, enabled: r.enabled, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt,
  };
}

function channelColumns(c: ChannelPatch) {
  return {
    ...(c.name !== undefined && { name: c.name }),
    ...(c.type !== undefined && { type: c.type }),
    ...(c.baseUrl !== undefined && { baseUrl: c.baseUrl }),
    ...(c.keys !== undefined && { keys: JSON.stringify(c.keys) }),
    ...(c.models !== undefined && { models: JSON.stringify(c.models) }),
    ...(c.headers !== undefined && { headers: JSON.stringify(c.headers) }),
    ...(c.modelFilter !== undefined && { modelFilter: c.modelFilter }),
    ...(c.enabled !== undefined && { enabled: c.enabled }),
  };
}

function apiKeyColumns(k: ApiKeyPatch) {
  return {
    ...(k.name !== undefined && { name: k.name }),
    ...(k.expiresAt !== undefined && { expiresAt: k.expiresAt }),
    ...(k.allowedGroups !== undefined && { allowedGroups: k.allowedGroups === null ? null : JSON.stringify(k.allowedGroups) }),
    ...(k.budgetNanoUsd !== undefined && { budgetNanoUsd: k.budgetNanoUsd }),
    ...(k.rpmLimit !== undefined && { rpmLimit: k.rpmLimit }),
    ...(k.tpmLimit !== undefined && { tpmLimit: k.tpmLimit }),
    ...(k.enabled !== undefined && { enabled: k.enabled }),
  };
}

/** Maps a driver's unique-constraint failure to StoreConflictError; rethrows anything else. */
function rethrowConflict(err: unknown, what: string): never {
  const text = String((err as { cause?: unknown })?.cause ?? '') + String(err);
  if (/UNIQUE constraint failed/i.test(text)) throw new StoreConflictError(`${what} already exists`);
  throw err;
}

export class SqliteStore implements Store {
  constructor(private db: SqliteDb, private atomic: AtomicRunner, private now: () => number = Date.now) {}

  async listChannels(): Promise<Channel[]> {
    const rows = await this.db.select().from(t.channels).orderBy(asc(t.channels.id));
    return rows.map(toChannel);
  }

  async getChannel(id: number): Promise<Channel | null> {
    const rows = await this.db.select().from(t.channels).where(eq(t.channels.id, id));
    return rows[0] ? toChannel(rows[0]) : null;
  }

  async createChannel(input: NewChannel): Promise<Channel> {
    const at = this.now();
    try {
      const rows = await this.db.insert(t.channels)
        .values({ ...channelColumns(input), name: input.name, type: input.type, baseUrl: input.baseUrl, createdAt: at, updatedAt: at })
        .returning();
      return toChannel(rows[0]!);
    } catch (err) {
      rethrowConflict(err, `channel "${input.name}"`);
    }
  }

  async updateChannel(id: number, patch: ChannelPatch): Promise<Channel | null> {
    try {
      const rows = await this.db.update(t.channels)
        .set({ ...channelColumns(patch), updatedAt: this.now() })
        .where(eq(t.channels.id, id)).returning();
      return rows[0] ? toChannel(rows[0]) : null;
    } catch (err) {
      rethrowConflict(err, `channel "${patch.name}"`);
    }
  }

  async deleteChannel(id: number): Promise<boolean> {
    const rows = await this.db.delete(t.channels).where(eq(t.channels.id, id)).returning({ id: t.channels.id });
    return rows.length > 0;
  }

  private async membersOf(groupIds: number[]): Promise<MemberRow[]> {
    if (groupIds.length === 0) return [];
    return this.db.select().from(t.groupMembers)
      .where(inArray(t.groupMembers.groupId, groupIds)).orderBy(asc(t.groupMembers.id));
  }

  async listGroups(): Promise<Group[]> {
    const rows = await this.db.select().from(t.groups).orderBy(asc(t.groups.id));
    const members = await this.membersOf(rows.map((r) => r.id));
    return rows.map((r) => toGroup(r, members.filter((m) => m.groupId === r.id)));
  }

  async getGroup(id: number): Promise<Group | null> {
    const rows = await this.db.select().from(t.groups).where(eq(t.groups.id, id));
    if (!rows[0]) return null;
    return toGroup(rows[0], await this.membersOf([id]));
  }

  private insertMembers(groupId: number, members: NewGroupMember[]) {
    return this.db.insert(t.groupMembers).values(members.map((m) => ({ ...m, groupId })));
  }

  async createGroup(input: NewGroup): Promise<Group> {
    const at = this.now();
    let row: GroupRow;
    try {
      const rows = await this.db.insert(t.groups).values({
        name: input.name, mode: input.mode, settings: JSON.stringify(input.settings ?? {}),
        enabled: input.enabled, createdAt: at, updatedAt: at,
      }).returning();
      row = rows[0]!;
    } catch (err) {
      rethrowConflict(err, `group "${input.name}"`);
    }
    if (input.members.length > 0) {
      try {
        await this.insertMembers(row.id, input.members);
      } catch (err) {
        // Keep "create" all-or-nothing: a group without the members the caller asked for is not what they made.
        await this.db.delete(t.groups).where(eq(t.groups.id, row.id));
        throw err;
      }
    }
    return (await this.getGroup(row.id))!;
  }

  async updateGroup(id: number, patch: GroupPatch): Promise<Group | null> {
    const existing = await this.getGroup(id);
    if (!existing) return null;
    const update = this.db.update(t.groups).set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.mode !== undefined && { mode: patch.mode }),
      ...(patch.settings !== undefined && { settings: JSON.stringify(patch.settings) }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      updatedAt: this.now(),
    }).where(eq(t.groups.id, id));
    const queries: unknown[] = [update];
    if (patch.members !== undefined) {
      queries.push(this.db.delete(t.groupMembers).where(eq(t.groupMembers.groupId, id)));
      if (patch.members.length > 0) queries.push(this.insertMembers(id, patch.members));
    }
    try {
      await this.atomic(queries);
    } catch (err) {
      rethrowConflict(err, `group "${patch.name}"`);
    }
    return this.getGroup(id);
  }

  async deleteGroup(id: number): Promise<boolean> {
    const rows = await this.db.delete(t.groups).where(eq(t.groups.id, id)).returning({ id: t.groups.id });
    return rows.length > 0;
  }

  async findRoute(name: string): Promise<Route | null> {
    // One round trip: the relay pays this on every request.
    const rows = await this.db.select({ g: t.groups, m: t.groupMembers, c: t.channels })
      .from(t.groups)
      .leftJoin(t.groupMembers, eq(t.groupMembers.groupId, t.groups.id))
      .leftJoin(t.channels, eq(t.channels.id, t.groupMembers.channelId))
      .where(eq(t.groups.name, name))
      .orderBy(asc(t.groupMembers.id));
    if (!rows[0]) return null;
    const members = rows.flatMap((r) => (r.m ? [r.m] : []));
    const channels = new Map<number, Channel>();
    for (const r of rows) if (r.c && !channels.has(r.c.id)) channels.set(r.c.id, toChannel(r.c));
    return { group: toGroup(rows[0].g, members), channels };
  }

  async listApiKeys(): Promise<ApiKey[]> {
    const rows = await this.db.select().from(t.apiKeys).orderBy(asc(t.apiKeys.id));
    return rows.map(toApiKey);
  }

  async getApiKey(id: number): Promise<ApiKey | null> {
    const rows = await this.db.select().from(t.apiKeys).where(eq(t.apiKeys.id, id));
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async createApiKey(input: NewApiKey): Promise<ApiKey> {
    const rows = await this.db.insert(t.apiKeys).values({
      ...apiKeyColumns(input), name: input.name, keyHash: input.keyHash, keyPrefix: input.keyPrefix, createdAt: this.now(),
    }).returning();
    return toApiKey(rows[0]!);
  }

  async updateApiKey(id: number, patch: ApiKeyPatch): Promise<ApiKey | null> {
    const cols = apiKeyColumns(patch);
    if (Object.keys(cols).length === 0) return this.getApiKey(id);
    const rows = await this.db.update(t.apiKeys).set(cols).where(eq(t.apiKeys.id, id)).returning();
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async deleteApiKey(id: number): Promise<boolean> {
    const rows = await this.db.delete(t.apiKeys).where(eq(t.apiKeys.id, id)).returning({ id: t.apiKeys.id });
    return rows.length > 0;
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKey | null> {
    const rows = await this.db.select().from(t.apiKeys).where(eq(t.apiKeys.keyHash, keyHash));
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async touchApiKey(id: number, at: number): Promise<void> {
    await this.db.update(t.apiKeys).set({ lastUsedAt: at }).where(eq(t.apiKeys.id, id));
  }

  async getAdminPasswordHash(): Promise<string | null> {
    const rows = await this.db.select().from(t.admin).where(eq(t.admin.id, 1));
    return rows[0]?.passwordHash ?? null;
  }

  async setAdminPasswordHash(hash: string, at: number): Promise<void> {
    await this.db.insert(t.admin).values({ id: 1, passwordHash: hash, updatedAt: at })
      .onConflictDoUpdate({ target: t.admin.id, set: { passwordHash: hash, updatedAt: at } });
  }

  async createSession(tokenHash: string, createdAt: number, expiresAt: number): Promise<void> {
    await this.db.insert(t.adminSessions).values({ tokenHash, createdAt, expiresAt });
  }

  async findSession(tokenHash: string): Promise<number | null> {
    const rows = await this.db.select().from(t.adminSessions).where(eq(t.adminSessions.tokenHash, tokenHash));
    return rows[0]?.expiresAt ?? null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.delete(t.adminSessions).where(eq(t.adminSessions.tokenHash, tokenHash));
  }

  async deleteAllSessions(): Promise<void> {
    await this.db.delete(t.adminSessions);
  }

  async countLoginAttempt(key: string, now: number, windowMs: number): Promise<{ attempts: number; windowStart: number }> {
    const stale = sql`${t.authThrottle.windowStart} <= ${now - windowMs}`;
    const rows = await this.db.insert(t.authThrottle).values({ key, failures: 1, windowStart: now, lockedUntil: 0 })
      .onConflictDoUpdate({
        target: t.authThrottle.key,
        set: {
          failures: sql`CASE WHEN ${stale} THEN 1 ELSE ${t.authThrottle.failures} + 1 END`,
          windowStart: sql`CASE WHEN ${stale} THEN ${now} ELSE ${t.authThrottle.windowStart} END`,
        },
      })
      .returning({ attempts: t.authThrottle.failures, windowStart: t.authThrottle.windowStart });
    return rows[0]!;
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.delete(t.authThrottle).where(and(eq(t.authThrottle.key, key)));
  }

  async applyFlush(flushId: string, at: number, logs: RequestRecord[], stats: StatsDelta[]): Promise<'applied' | 'duplicate'> {
    const marker = await this.db.select().from(t.appliedFlushes).where(eq(t.appliedFlushes.id, flushId));
    if (marker.length > 0) return 'duplicate';
    const queries: unknown[] = [this.db.insert(t.appliedFlushes).values({ id: flushId, appliedAt: at })];
    for (const r of logs) queries.push(this.db.insert(t.requestLogs).values(toLogRow(r)).onConflictDoNothing());
    for (const d of stats) {
      queries.push(this.db.insert(t.statsHourly).values(d).onConflictDoUpdate({
        target: [t.statsHourly.hour, t.statsHourly.groupName, t.statsHourly.channelId, t.statsHourly.upstreamModel, t.statsHourly.apiKeyId],
        set: {
          requests: sql`${t.statsHourly.requests} + ${d.requests}`,
          successes: sql`${t.statsHourly.successes} + ${d.successes}`,
          failures: sql`${t.statsHourly.failures} + ${d.failures}`,
          inputTokens: sql`${t.statsHourly.inputTokens} + ${d.inputTokens}`,
          cacheReadTokens: sql`${t.statsHourly.cacheReadTokens} + ${d.cacheReadTokens}`,
          cacheWriteTokens: sql`${t.statsHourly.cacheWriteTokens} + ${d.cacheWriteTokens}`,
          outputTokens: sql`${t.statsHourly.outputTokens} + ${d.outputTokens}`,
          reasoningTokens: sql`${t.statsHourly.reasoningTokens} + ${d.reasoningTokens}`,
          costNanoUsd: sql`${t.statsHourly.costNanoUsd} + ${d.costNanoUsd}`,
          latencyMsTotal: sql`${t.statsHourly.latencyMsTotal} + ${d.latencyMsTotal}`,
          ttftMsTotal: sql`${t.statsHourly.ttftMsTotal} + ${d.ttftMsTotal}`,
        },
      }));
    }
    try {
      await this.atomic(queries);
      return 'applied';
    } catch (err) {
      // Two flushers racing with one id: the loser's batch fails on the marker and writes nothing.
      if (/UNIQUE constraint failed: applied_flushes/i.test(String((err as { cause?: unknown })?.cause ?? '') + String(err))) return 'duplicate';
      throw err;
    }
  }

  async listLogs(opts: { limit: number; before?: number; groupName?: string; apiKeyId?: number; channelId?: number; status?: number }): Promise<RequestRecord[]> {
    const where: SQL[] = [];
    if (opts.before !== undefined) where.push(lt(t.requestLogs.time, opts.before));
    if (opts.groupName !== undefined) where.push(eq(t.requestLogs.groupName, opts.groupName));
    if (opts.apiKeyId !== undefined) where.push(eq(t.requestLogs.apiKeyId, opts.apiKeyId));
    if (opts.channelId !== undefined) where.push(eq(t.requestLogs.channelId, opts.channelId));
    if (opts.status !== undefined) where.push(eq(t.requestLogs.status, opts.status));
    const rows = await this.db.select().from(t.requestLogs).where(where.length ? and(...where) : undefined)
      .orderBy(desc(t.requestLogs.time), desc(t.requestLogs.id)).limit(opts.limit);
    return rows.map(fromLogRow);
  }

  async getLog(id: string): Promise<RequestRecord | null> {
    const rows = await this.db.select().from(t.requestLogs).where(eq(t.requestLogs.id, id));
    return rows[0] ? fromLogRow(rows[0]) : null;
  }

  async loadPrices(): Promise<{ user: Map<string, Price>; modelsDev: ModelsDevPrice[] }> {
    const rows = await this.db.select().from(t.prices);
    const user = new Map<string, Price>();
    const modelsDev: ModelsDevPrice[] = [];
    for (const r of rows) {
      const price: Price = { input: r.input, output: r.output, cacheRead: r.cacheRead, cacheWrite: r.cacheWrite };
      if (r.source === 'user') user.set(r.model, price);
      else {
        // models.dev rows are keyed `provider/model`: one model id can have several providers' prices.
        const at = r.model.indexOf('/');
        modelsDev.push({ provider: r.model.slice(0, at), model: r.model.slice(at + 1), price });
      }
    }
    return { user, modelsDev };
  }

  async replaceModelsDevPrices(prices: ModelsDevPrice[], at: number): Promise<void> {
    const queries: unknown[] = [this.db.delete(t.prices).where(eq(t.prices.source, 'models.dev'))];
    // 7 bound values a row; D1 allows 100 per statement.
    for (let i = 0; i < prices.length; i += 14) {
      queries.push(this.db.insert(t.prices).values(prices.slice(i, i + 14).map((p) => ({
        model: `${p.provider}/${p.model}`, source: 'models.dev', input: p.price.input, output: p.price.output,
        cacheRead: p.price.cacheRead, cacheWrite: p.price.cacheWrite, updatedAt: at,
      }))));
    }
    await this.atomic(queries);
  }

  async setUserPrice(model: string, price: Price, at: number): Promise<void> {
    const row = { input: price.input, output: price.output, cacheRead: price.cacheRead, cacheWrite: price.cacheWrite, updatedAt: at };
    await this.db.insert(t.prices).values({ model, source: 'user', ...row })
      .onConflictDoUpdate({ target: [t.prices.model, t.prices.source], set: row });
  }

  async deleteUserPrice(model: string): Promise<boolean> {
    const rows = await this.db.delete(t.prices).where(and(eq(t.prices.model, model), eq(t.prices.source, 'user'))).returning({ model: t.prices.model });
    return rows.length > 0;
  }

  async putSyncState(key: string, at: number, ok: boolean, detail: unknown): Promise<void> {
    const row = { lastRunAt: at, ok, detail: JSON.stringify(detail) };
    await this.db.insert(t.syncState).values({ key, ...row }).onConflictDoUpdate({ target: t.syncState.key, set: row });
  }

  async listSyncState(): Promise<{ key: string; lastRunAt: number; ok: boolean; detail: unknown }[]> {
    const rows = await this.db.select().from(t.syncState).orderBy(asc(t.syncState.key));
    return rows.map((r) => ({ key: r.key, lastRunAt: r.lastRunAt, ok: r.ok, detail: parseJson(r.detail, {}) }));
  }

  async statsSeries(from: number, to: number, bucket: 'hour' | 'day', by?: 'group' | 'channel' | 'model' | 'key'): Promise<(StatsCounters & { bucket: number; key: string })[]> {
    const h = t.statsHourly;
    const bucketExpr = bucket === 'day' ? sql<number>`(${h.hour} / 86400000) * 86400000` : sql<number>`${h.hour}`;
    const dims = { group: h.groupName, channel: h.channelId, model: h.upstreamModel, key: h.apiKeyId } as const;
    const keyExpr = by ? sql<string>`${dims[by]}` : sql<string>`''`;
    const rows = await this.db.select({
      bucket: bucketExpr, key: keyExpr,
      requests: sql<number>`sum(${h.requests})`, successes: sql<number>`sum(${h.successes})`, failures: sql<number>`sum(${h.failures})`,
      inputTokens: sql<number>`sum(${h.inputTokens})`, cacheReadTokens: sql<number>`sum(${h.cacheReadTokens})`,
      cacheWriteTokens: sql<number>`sum(${h.cacheWriteTokens})`, outputTokens: sql<number>`sum(${h.outputTokens})`,
      reasoningTokens: sql<number>`sum(${h.reasoningTokens})`, costNanoUsd: sql<number>`sum(${h.costNanoUsd})`,
      latencyMsTotal: sql<number>`sum(${h.latencyMsTotal})`, ttftMsTotal: sql<number>`sum(${h.ttftMsTotal})`,
    }).from(h).where(and(gte(h.hour, from), lt(h.hour, to))).groupBy(bucketExpr, keyExpr).orderBy(bucketExpr, keyExpr);
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'key' ? String(v ?? '') : Number(v ?? 0)])) as unknown as StatsCounters & { bucket: number; key: string });
  }

  async keyUsage(apiKeyId: number, from: number, to: number): Promise<StatsCounters> {
    const h = t.statsHourly;
    const [row] = await this.db.select({
      requests: sql<number>`coalesce(sum(${h.requests}), 0)`, successes: sql<number>`coalesce(sum(${h.successes}), 0)`,
      failures: sql<number>`coalesce(sum(${h.failures}), 0)`, inputTokens: sql<number>`coalesce(sum(${h.inputTokens}), 0)`,
      cacheReadTokens: sql<number>`coalesce(sum(${h.cacheReadTokens}), 0)`, cacheWriteTokens: sql<number>`coalesce(sum(${h.cacheWriteTokens}), 0)`,
      outputTokens: sql<number>`coalesce(sum(${h.outputTokens}), 0)`, reasoningTokens: sql<number>`coalesce(sum(${h.reasoningTokens}), 0)`,
      costNanoUsd: sql<number>`coalesce(sum(${h.costNanoUsd}), 0)`, latencyMsTotal: sql<number>`coalesce(sum(${h.latencyMsTotal}), 0)`,
      ttftMsTotal: sql<number>`coalesce(sum(${h.ttftMsTotal}), 0)`,
    }).from(h).where(and(eq(h.apiKeyId, apiKeyId), gte(h.hour, from), lt(h.hour, to)));
    return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as unknown as StatsCounters;
  }

  async deleteLogsBefore(before: number): Promise<number> {
    const rows = await this.db.delete(t.requestLogs).where(lt(t.requestLogs.time, before)).returning({ id: t.requestLogs.id });
    return rows.length;
  }

  async getSetting(key: string): Promise<unknown> {
    const rows = await this.db.select().from(t.settings).where(eq(t.settings.key, key));
    return rows[0] ? parseJson<unknown>(rows[0].value, undefined) : undefined;
  }

  async putSetting(key: string, value: unknown, at: number): Promise<void> {
    const row = { value: JSON.stringify(value), updatedAt: at };
    await this.db.insert(t.settings).values({ key, ...row }).onConflictDoUpdate({ target: t.settings.key, set: row });
  }

  async statsSummary(from: number, to: number): Promise<{ total: StatsDelta | null; hours: StatsDelta[] }> {
    const sums = {
      requests: sql<number>`sum(${t.statsHourly.requests})`,
      successes: sql<number>`sum(${t.statsHourly.successes})`,
      failures: sql<number>`sum(${t.statsHourly.failures})`,
      inputTokens: sql<number>`sum(${t.statsHourly.inputTokens})`,
      cacheReadTokens: sql<number>`sum(${t.statsHourly.cacheReadTokens})`,
      cacheWriteTokens: sql<number>`sum(${t.statsHourly.cacheWriteTokens})`,
      outputTokens: sql<number>`sum(${t.statsHourly.outputTokens})`,
      reasoningTokens: sql<number>`sum(${t.statsHourly.reasoningTokens})`,
      costNanoUsd: sql<number>`sum(${t.statsHourly.costNanoUsd})`,
      latencyMsTotal: sql<number>`sum(${t.statsHourly.latencyMsTotal})`,
      ttftMsTotal: sql<number>`sum(${t.statsHourly.ttftMsTotal})`,
    };
    const range = and(gte(t.statsHourly.hour, from), lt(t.statsHourly.hour, to));
    const hours = await this.db.select({ hour: t.statsHourly.hour, ...sums }).from(t.statsHourly).where(range)
      .groupBy(t.statsHourly.hour).orderBy(asc(t.statsHourly.hour));
    const all = (await this.db.select(sums).from(t.statsHourly).where(range))[0];
    const norm = (r: Record<string, unknown>) => ({ hour: 0, groupName: '*', channelId: 0, upstreamModel: '*', apiKeyId: 0, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v ?? 0)])) }) as StatsDelta;
    return { total: all && all.requests !== null ? norm(all) : null, hours: hours.map(norm) };
  }
}

type LogRow = typeof t.requestLogs.$inferInsert;

function toLogRow(r: RequestRecord): LogRow {
  return {
    id: r.id, time: r.time, apiKeyId: r.apiKeyId, groupName: r.groupName, channelId: r.channelId, upstreamModel: r.upstreamModel,
    protocolIn: r.protocolIn, protocolOut: r.protocolOut, stream: r.stream, status: r.status, attempts: JSON.stringify(r.attempts),
    inputTokens: r.usage?.input ?? 0, cacheReadTokens: r.usage?.cacheRead ?? 0, cacheWriteTokens: r.usage?.cacheWrite ?? 0,
    outputTokens: r.usage?.output ?? 0, reasoningTokens: r.usage?.reasoning ?? 0, costNanoUsd: r.costNanoUsd,
    latencyMs: r.latencyMs, ttftMs: r.ttftMs, error: r.error,
  };
}

function fromLogRow(row: typeof t.requestLogs.$inferSelect): RequestRecord {
  return {
    id: row.id, time: row.time, apiKeyId: row.apiKeyId ?? 0, groupName: row.groupName ?? '', channelId: row.channelId ?? 0,
    upstreamModel: row.upstreamModel ?? '', protocolIn: row.protocolIn as RequestRecord['protocolIn'],
    protocolOut: (row.protocolOut ?? null) as RequestRecord['protocolOut'], stream: row.stream, status: row.status,
    ok: row.status >= 200 && row.status < 300 && row.error === null,
    attempts: parseJson(row.attempts, []),
    usage: { input: row.inputTokens, cacheRead: row.cacheReadTokens, cacheWrite: row.cacheWriteTokens, output: row.outputTokens, reasoning: row.reasoningTokens },
    costNanoUsd: row.costNanoUsd, latencyMs: row.latencyMs, ttftMs: row.ttftMs ?? null, error: row.error ?? null,
  };
}
