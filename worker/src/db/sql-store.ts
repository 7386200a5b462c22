/**
 * The Store, written once for every SQL dialect (SQLite/D1, MySQL/MariaDB, PostgreSQL). What
 * differs between dialects is behind `Dialect` (dialect.ts); row ↔ domain mapping is in rows.ts.
 * Times are ms, money nano-USD, as everywhere (db/types.ts).
 */
import { and, asc, desc, eq, getTableColumns, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { chunkRows } from './chunk';
import type { Price } from '../accounting/cost';
import type { ModelsDevPrice } from '../accounting/modelsdev';
import type { RequestRecord, StatsCounters, StatsDelta } from '../accounting/records';
import type { Dialect, Tables } from './dialect';
import {
  apiKeyColumns, channelColumns, fromLogRow, modelsDevPriceRow, numericRow, parseJson, splitPrices, summaryRow,
  nameListColumn, overridesColumn, toApiKey, toChannel, toCheckResult, toGroup, toLogRow,
  type ApiKeyRow, type ChannelRow, type GroupRow, type LogRow, type MemberRow,
} from './rows';
import { logConditions, pageCondition } from './log-filter';
import { StoreConflictError, type ListedLog, type LogFilter, type SeriesFilter, type StatsSummary, type Store, type SummaryCounters } from './store';
import type { ApiKey, ApiKeyPatch, Channel, ChannelCheckResult, ChannelHealthState, ChannelPatch, ConfigWrite, Group, GroupPatch, NewApiKey, NewChannel, NewGroup, NewGroupMember, Route } from './types';

type StatsSeriesRow = SummaryCounters & { bucket: number; key: string };

/** Settings key of the stored configuration version (Store.configVersion). */
export const CONFIG_VERSION_KEY = 'config-version';
/** Settings keys whose writes are configuration changes. */
const CONFIG_SETTING_KEYS = new Set(['gateway']);

export class SqlStore implements Store {
  protected readonly t: Tables;
  private epoch = 0;
  private priceWrites = 0;

  constructor(protected readonly d: Dialect, protected readonly now: () => number = Date.now) {
    this.t = d.tables;
  }

  private get db() {
    return this.d.db;
  }

  get configEpoch(): number {
    return this.epoch;
  }

  /**
   * Price writes made through this instance (user prices, a models.dev sync, a backup's prices):
   * a price cache kept beside it reloads when this moves (edge/platform.ts prices a limited key's
   * spend in the isolate). Writes made elsewhere are seen when such a cache ages out.
   */
  get priceEpoch(): number {
    return this.priceWrites;
  }

  async configVersion(): Promise<string> {
    const v = await this.getSetting(CONFIG_VERSION_KEY);
    return typeof v === 'string' ? v : '0';
  }

  /**
   * Marks a configuration write: the local epoch moves at once (this instance's snapshot reloads
   * before its next use), then the stored version, for other instances. A failure to store the
   * version is not the write's failure: other instances then catch up at the next write.
   */
  private async changed<T>(result: T): Promise<T> {
    this.epoch += 1;
    try {
      await this.putSetting(CONFIG_VERSION_KEY, `${this.now()}-${Math.random().toString(36).slice(2, 10)}`, this.now());
    } catch {
      // Logged by nobody on purpose: the write itself succeeded; see above.
    }
    return result;
  }

  /** Runs `write`, turning a uniqueness violation into StoreConflictError("<what> already exists"). */
  private async unique<T>(what: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (this.d.isUniqueViolation(err)) throw new StoreConflictError(`${what} already exists`);
      throw err;
    }
  }

  /** Sums of every stats counter column. */
  private sums() {
    const h = this.t.statsHourly;
    return {
      requests: sql<number>`sum(${h.requests})`, successes: sql<number>`sum(${h.successes})`, failures: sql<number>`sum(${h.failures})`,
      inputTokens: sql<number>`sum(${h.inputTokens})`, cacheReadTokens: sql<number>`sum(${h.cacheReadTokens})`,
      cacheWriteTokens: sql<number>`sum(${h.cacheWriteTokens})`, outputTokens: sql<number>`sum(${h.outputTokens})`,
      reasoningTokens: sql<number>`sum(${h.reasoningTokens})`, costNanoUsd: sql<number>`sum(${h.costNanoUsd})`,
      latencyMsTotal: sql<number>`sum(${h.latencyMsTotal})`, ttftMsTotal: sql<number>`sum(${h.ttftMsTotal})`,
      // NULL on rows from before these counters (schema): SUM skips them, numericRow turns none into 0.
      attempts: sql<number>`sum(${h.attempts})`, failedAttempts: sql<number>`sum(${h.failedAttempts})`,
      clientErrors: sql<number>`sum(${h.clientErrors})`, upstreamErrors: sql<number>`sum(${h.upstreamErrors})`,
      rescues: sql<number>`sum(${h.rescues})`,
    };
  }

  /** Sums of `sums()` plus what rows from before the breakdown counters hold (SummaryCounters). */
  private summarySums() {
    const h = this.t.statsHourly;
    return {
      ...this.sums(),
      untrackedRequests: sql<number>`sum(case when ${h.attempts} is null then ${h.requests} else 0 end)`,
      untrackedSuccesses: sql<number>`sum(case when ${h.attempts} is null then ${h.successes} else 0 end)`,
      untrackedFailures: sql<number>`sum(case when ${h.attempts} is null then ${h.failures} else 0 end)`,
    };
  }

  async listChannels(): Promise<Channel[]> {
    const rows = await this.db.select().from(this.t.channels).orderBy(asc(this.t.channels.id));
    return rows.map(toChannel);
  }

  async getChannel(id: number): Promise<Channel | null> {
    const rows = await this.db.select().from(this.t.channels).where(eq(this.t.channels.id, id));
    return rows[0] ? toChannel(rows[0]) : null;
  }

  async createChannel(input: NewChannel): Promise<Channel> {
    const at = this.now();
    const row = await this.unique(`channel "${input.name}"`, () => this.d.insertRow<ChannelRow>(this.t.channels, {
      ...channelColumns(input), name: input.name, type: input.type, baseUrl: input.baseUrl, createdAt: at, updatedAt: at,
    }));
    return this.changed(toChannel(row));
  }

  async updateChannel(id: number, patch: ChannelPatch): Promise<Channel | null> {
    const row = await this.unique(`channel "${patch.name}"`, () =>
      this.d.updateRow<ChannelRow>(this.t.channels, id, { ...channelColumns(patch), updatedAt: this.now() }));
    return this.changed(row ? toChannel(row) : null);
  }

  async deleteChannel(id: number): Promise<boolean> {
    return this.changed((await this.d.deleteWhere(this.t.channels, eq(this.t.channels.id, id))) > 0);
  }

  async recordChannelCheck(result: ChannelCheckResult, state: ChannelHealthState, opts: { keep: number; routingChanged: boolean }): Promise<boolean> {
    const c = this.t.channels;
    const k = this.t.channelChecks;
    // The state first: a channel deleted meanwhile updates nothing, and then no history row is
    // inserted (its foreign key would fail). updated_at is the admin's edit time: left alone.
    const updated = await this.d.updateRow<ChannelRow>(c, result.channelId, { healthState: JSON.stringify(state) });
    if (!updated) return false;
    await this.db.insert(k).values({
      channelId: result.channelId, at: result.at, ok: result.ok, latencyMs: Math.round(result.latencyMs), status: result.status,
      model: result.model, keyId: result.keyId, error: result.error,
    });
    // Prune: the id of the oldest result to keep, then everything older (two plain statements:
    // MySQL refuses a LIMIT in a subquery of the same table).
    const edge = await this.db.select({ id: k.id }).from(k).where(eq(k.channelId, result.channelId)).orderBy(desc(k.id)).limit(1).offset(Math.max(0, opts.keep - 1));
    if (edge[0]) await this.d.deleteWhere(k, and(eq(k.channelId, result.channelId), lt(k.id, edge[0].id)));
    return opts.routingChanged ? this.changed(true) : true;
  }

  async listChannelChecks(opts: { perChannel: number; channelId?: number }): Promise<ChannelCheckResult[]> {
    const k = this.t.channelChecks;
    // History is pruned to a few dozen rows per channel when written: reading all of it is bounded.
    const rows = await this.db.select().from(k).where(opts.channelId === undefined ? undefined : eq(k.channelId, opts.channelId)).orderBy(desc(k.id));
    const seen = new Map<number, number>();
    const out: ChannelCheckResult[] = [];
    for (const r of rows) {
      const n = seen.get(r.channelId) ?? 0;
      if (n >= opts.perChannel) continue;
      seen.set(r.channelId, n + 1);
      out.push(toCheckResult(r));
    }
    return out;
  }

  /**
   * Every group with its members. Reads all member rows at once and binds no values: an
   * `IN (ids…)` list would pass D1's 100-parameter limit past 100 groups.
   */
  async listGroups(): Promise<Group[]> {
    const [rows, members] = await Promise.all([
      this.db.select().from(this.t.groups).orderBy(asc(this.t.groups.id)),
      this.db.select().from(this.t.groupMembers).orderBy(asc(this.t.groupMembers.id)),
    ]);
    const byGroup = new Map<number, MemberRow[]>();
    for (const m of members) {
      const list = byGroup.get(m.groupId);
      if (list) list.push(m);
      else byGroup.set(m.groupId, [m]);
    }
    return rows.map((r) => toGroup(r, byGroup.get(r.id) ?? []));
  }

  async getGroup(id: number): Promise<Group | null> {
    const rows = await this.db.select().from(this.t.groups).where(eq(this.t.groups.id, id));
    if (!rows[0]) return null;
    const members = await this.db.select().from(this.t.groupMembers)
      .where(eq(this.t.groupMembers.groupId, id)).orderBy(asc(this.t.groupMembers.id));
    return toGroup(rows[0], members);
  }

  /** INSERTs of a group's members, split to the dialect's bound-value limit; run them in one atomic unit. */
  private insertMembers(db: Dialect['db'], groupId: number, members: NewGroupMember[]): unknown[] {
    return chunkRows(members.map((m) => ({ ...m, overrides: overridesColumn(m.overrides), protocol: m.protocol ?? null, groupId })), this.d.maxBoundValues)
      .map((rows) => db.insert(this.t.groupMembers).values(rows));
  }

  async createGroup(input: NewGroup): Promise<Group> {
    const at = this.now();
    const row = await this.unique(`group "${input.name}"`, () => this.d.insertRow<GroupRow>(this.t.groups, {
      name: input.name, mode: input.mode, settings: JSON.stringify(input.settings ?? {}),
      aliases: nameListColumn(input.aliases), patterns: nameListColumn(input.patterns), enabled: input.enabled, createdAt: at, updatedAt: at,
    }));
    if (input.members.length > 0) {
      try {
        await this.d.atomic((db) => this.insertMembers(db, row.id, input.members));
      } catch (err) {
        // Keep "create" all-or-nothing: a group without the members the caller asked for is not what they made.
        await this.d.deleteWhere(this.t.groups, eq(this.t.groups.id, row.id));
        throw err;
      }
    }
    return this.changed((await this.getGroup(row.id))!);
  }

  async updateGroup(id: number, patch: GroupPatch): Promise<Group | null> {
    const existing = await this.getGroup(id);
    if (!existing) return null;
    const g = this.t.groups;
    const set = {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.mode !== undefined && { mode: patch.mode }),
      ...(patch.settings !== undefined && { settings: JSON.stringify(patch.settings) }),
      ...(patch.aliases !== undefined && { aliases: nameListColumn(patch.aliases) }),
      ...(patch.patterns !== undefined && { patterns: nameListColumn(patch.patterns) }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      updatedAt: this.now(),
    };
    await this.unique(`group "${patch.name}"`, () => this.d.atomic((db) => {
      const queries = [db.update(g).set(set).where(eq(g.id, id))] as unknown[];
      if (patch.members !== undefined) {
        queries.push(db.delete(this.t.groupMembers).where(eq(this.t.groupMembers.groupId, id)));
        queries.push(...this.insertMembers(db, id, patch.members));
      }
      return queries;
    }));
    return this.changed(await this.getGroup(id));
  }

  async deleteGroup(id: number): Promise<boolean> {
    return this.changed((await this.d.deleteWhere(this.t.groups, eq(this.t.groups.id, id))) > 0);
  }

  async findRoute(name: string): Promise<Route | null> {
    const { groups, groupMembers, channels } = this.t;
    // One round trip: the relay pays this on every request.
    const rows = await this.db.select({ g: groups, m: groupMembers, c: channels })
      .from(groups)
      .leftJoin(groupMembers, eq(groupMembers.groupId, groups.id))
      .leftJoin(channels, eq(channels.id, groupMembers.channelId))
      .where(eq(groups.name, name))
      .orderBy(asc(groupMembers.id));
    if (!rows[0]) return null;
    const members = rows.flatMap((r) => (r.m ? [r.m] : []));
    const found = new Map<number, Channel>();
    for (const r of rows) if (r.c && !found.has(r.c.id)) found.set(r.c.id, toChannel(r.c));
    return { group: toGroup(rows[0].g, members), channels: found };
  }

  async applyConfig(write: ConfigWrite, at: number): Promise<void> {
    const { channels, groups, groupMembers: gm, apiKeys, prices: p, settings } = this.t;
    const rows = [write.channels, write.groups, write.apiKeys].flatMap((k) => [...k.insert, ...k.update, ...k.delete]);
    // Nothing to write: no transaction (and D1 refuses an empty batch).
    if (rows.length === 0 && write.prices.put.length === 0 && write.prices.delete.length === 0 && write.settings === undefined) return;
    // `IN (…)` lists split so no statement passes the bound-value limit (D1: 100).
    const per = Math.max(1, this.d.maxBoundValues - 10);
    const inIds = <T>(ids: T[]) => chunkRows(ids.map((id) => ({ id })), per).map((rows) => rows.map((r) => r.id));
    const rewritten = [...write.groups.update.map((g) => g.id), ...write.groups.delete];
    const groupRow = (g: ConfigWrite['groups']['insert'][number]) => ({
      name: g.name, mode: g.mode, settings: JSON.stringify(g.settings ?? {}), aliases: nameListColumn(g.aliases),
      patterns: nameListColumn(g.patterns), enabled: g.enabled, updatedAt: at,
    });
    const channelRow = (c: ConfigWrite['channels']['insert'][number]) => ({
      ...channelColumns(c), name: c.name, type: c.type, baseUrl: c.baseUrl, updatedAt: at,
    });
    await this.unique('a channel, group or key of the backup', () => this.d.atomic((db) => [
      // Deletes first: members of rewritten or deleted groups and of deleted channels, then the rows.
      ...inIds(rewritten).map((ids) => db.delete(gm).where(inArray(gm.groupId, ids))),
      ...inIds(write.channels.delete).map((ids) => db.delete(gm).where(inArray(gm.channelId, ids))),
      ...inIds(write.groups.delete).map((ids) => db.delete(groups).where(inArray(groups.id, ids))),
      ...inIds(write.channels.delete).map((ids) => db.delete(channels).where(inArray(channels.id, ids))),
      ...inIds(write.apiKeys.delete).map((ids) => db.delete(apiKeys).where(inArray(apiKeys.id, ids))),
      ...inIds(write.prices.delete).map((models) => db.delete(p).where(and(eq(p.source, 'user'), inArray(p.model, models)))),
      ...write.channels.update.map((c) => db.update(channels).set(channelRow(c)).where(eq(channels.id, c.id))),
      ...write.channels.insert.map((c) => db.insert(channels).values({ ...channelRow(c), id: c.id, createdAt: at })),
      ...write.groups.update.map((g) => db.update(groups).set(groupRow(g)).where(eq(groups.id, g.id))),
      ...write.groups.insert.map((g) => db.insert(groups).values({ ...groupRow(g), id: g.id, createdAt: at })),
      ...[...write.groups.update, ...write.groups.insert].flatMap((g) => this.insertMembers(db, g.id, g.members)),
      ...write.apiKeys.update.map((k) => db.update(apiKeys).set(apiKeyColumns(k)).where(eq(apiKeys.id, k.id))),
      ...chunkRows(write.apiKeys.insert.map((k) => ({
        ...apiKeyColumns(k), id: k.id, keyHash: k.keyHash, keyPrefix: k.keyPrefix, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt,
      })), this.d.maxBoundValues).map((rows) => db.insert(apiKeys).values(rows as never)),
      ...write.prices.put.map((x) => {
        const row = { input: x.input, output: x.output, cacheRead: x.cacheRead, cacheWrite: x.cacheWrite, updatedAt: at };
        return this.d.upsert(db, p, { model: x.model, source: 'user', ...row }, [p.model, p.source], row);
      }),
      ...(write.settings !== undefined ? [this.d.upsert(db, settings, { key: 'gateway', value: JSON.stringify(write.settings), updatedAt: at }, [settings.key], { value: JSON.stringify(write.settings), updatedAt: at })] : []),
      // Rows inserted with their own ids: identity sequences must move past them (PostgreSQL).
      ...(this.d.resyncIds ? this.d.resyncIds(db) : []),
    ]));
    if (write.prices.put.length > 0 || write.prices.delete.length > 0) this.priceWrites += 1;
    await this.changed(undefined);
  }

  async listApiKeys(): Promise<ApiKey[]> {
    const rows = await this.db.select().from(this.t.apiKeys).orderBy(asc(this.t.apiKeys.id));
    return rows.map(toApiKey);
  }

  async getApiKey(id: number): Promise<ApiKey | null> {
    const rows = await this.db.select().from(this.t.apiKeys).where(eq(this.t.apiKeys.id, id));
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async createApiKey(input: NewApiKey): Promise<ApiKey> {
    const row = await this.unique('API key', () => this.d.insertRow<ApiKeyRow>(this.t.apiKeys, {
      ...apiKeyColumns(input), name: input.name, keyHash: input.keyHash, keyPrefix: input.keyPrefix, createdAt: this.now(),
    }));
    return this.changed(toApiKey(row));
  }

  async updateApiKey(id: number, patch: ApiKeyPatch): Promise<ApiKey | null> {
    const cols = apiKeyColumns(patch);
    if (Object.keys(cols).length === 0) return this.getApiKey(id);
    const row = await this.d.updateRow<ApiKeyRow>(this.t.apiKeys, id, cols);
    return this.changed(row ? toApiKey(row) : null);
  }

  async deleteApiKey(id: number): Promise<boolean> {
    return this.changed((await this.d.deleteWhere(this.t.apiKeys, eq(this.t.apiKeys.id, id))) > 0);
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKey | null> {
    const rows = await this.db.select().from(this.t.apiKeys).where(eq(this.t.apiKeys.keyHash, keyHash));
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async touchApiKey(id: number, at: number): Promise<void> {
    await this.db.update(this.t.apiKeys).set({ lastUsedAt: at }).where(eq(this.t.apiKeys.id, id));
  }

  async getAdminPasswordHash(): Promise<string | null> {
    const rows = await this.db.select().from(this.t.admin).where(eq(this.t.admin.id, 1));
    return rows[0]?.passwordHash ?? null;
  }

  async setAdminPasswordHash(hash: string, at: number): Promise<void> {
    await this.d.upsert(this.db, this.t.admin, { id: 1, passwordHash: hash, updatedAt: at }, [this.t.admin.id], { passwordHash: hash, updatedAt: at });
  }

  async createSession(tokenHash: string, createdAt: number, expiresAt: number): Promise<void> {
    await this.db.insert(this.t.adminSessions).values({ tokenHash, createdAt, expiresAt });
  }

  async findSession(tokenHash: string): Promise<number | null> {
    const rows = await this.db.select().from(this.t.adminSessions).where(eq(this.t.adminSessions.tokenHash, tokenHash));
    return rows[0]?.expiresAt ?? null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.delete(this.t.adminSessions).where(eq(this.t.adminSessions.tokenHash, tokenHash));
  }

  async deleteAllSessions(): Promise<void> {
    await this.db.delete(this.t.adminSessions);
  }

  countLoginAttempt(key: string, now: number, windowMs: number): Promise<{ attempts: number; windowStart: number }> {
    return this.d.countLoginAttempt(key, now, windowMs);
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.delete(this.t.authThrottle).where(eq(this.t.authThrottle.key, key));
  }

  async applyFlush(flushId: string, at: number, logs: RequestRecord[], stats: StatsDelta[]): Promise<'applied' | 'duplicate'> {
    const { appliedFlushes, requestLogs, statsHourly: h } = this.t;
    const marker = await this.db.select().from(appliedFlushes).where(eq(appliedFlushes.id, flushId));
    if (marker.length > 0) return 'duplicate';
    try {
      await this.d.atomic((db) => [
        // The marker first: a second flusher with the same id waits on it, then fails and writes nothing.
        db.insert(appliedFlushes).values({ id: flushId, appliedAt: at }),
        // Multi-row inserts, as few as the bound-value limit allows: each statement costs a drizzle
        // build and a prepare, on better-sqlite3 synchronously on the event loop.
        ...(this.d.logInserts ? this.d.logInserts(db, logs.map(toLogRow))
          : chunkRows(logs.map(toLogRow), this.d.maxBoundValues).map((rows) => this.d.insertIgnore(db, requestLogs, rows, [requestLogs.id]))),
        ...stats.map((s) => this.d.upsert(db, h, s, [h.hour, h.groupName, h.channelId, h.upstreamModel, h.apiKeyId], {
          requests: sql`${h.requests} + ${s.requests}`,
          successes: sql`${h.successes} + ${s.successes}`,
          failures: sql`${h.failures} + ${s.failures}`,
          inputTokens: sql`${h.inputTokens} + ${s.inputTokens}`,
          cacheReadTokens: sql`${h.cacheReadTokens} + ${s.cacheReadTokens}`,
          cacheWriteTokens: sql`${h.cacheWriteTokens} + ${s.cacheWriteTokens}`,
          outputTokens: sql`${h.outputTokens} + ${s.outputTokens}`,
          reasoningTokens: sql`${h.reasoningTokens} + ${s.reasoningTokens}`,
          costNanoUsd: sql`${h.costNanoUsd} + ${s.costNanoUsd}`,
          latencyMsTotal: sql`${h.latencyMsTotal} + ${s.latencyMsTotal}`,
          ttftMsTotal: sql`${h.ttftMsTotal} + ${s.ttftMsTotal}`,
          // On a row from before these columns NULL + n stays NULL: the row stays "untracked" whole.
          attempts: sql`${h.attempts} + ${s.attempts}`,
          failedAttempts: sql`${h.failedAttempts} + ${s.failedAttempts}`,
          clientErrors: sql`${h.clientErrors} + ${s.clientErrors}`,
          upstreamErrors: sql`${h.upstreamErrors} + ${s.upstreamErrors}`,
          rescues: sql`${h.rescues} + ${s.rescues}`,
        })),
      ]);
      return 'applied';
    } catch (err) {
      // Logs and stats never conflict (ignore / add), so a uniqueness failure is the marker: a racing flusher won.
      if (this.d.isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
  }

  async listLogs(opts: { limit: number; before?: number; beforeId?: string } & LogFilter): Promise<ListedLog[]> {
    const l = this.t.requestLogs;
    const where = logConditions(l, opts);
    const page = pageCondition(l, opts.before, opts.beforeId);
    if (page) where.push(page);
    const { requestBody, responseBody, upstreamRequestBody, ...columns } = getTableColumns(l);
    const hasBodies = sql<unknown>`(${requestBody} is not null or ${responseBody} is not null)`;
    const rows = await this.db.select({ ...columns, hasBodies }).from(l).where(where.length ? and(...where) : undefined)
      .orderBy(desc(l.time), desc(l.id)).limit(opts.limit);
    // SQLite and MySQL answer 1/0 (MySQL through some drivers '1'), PostgreSQL a boolean.
    return rows.map((row: Record<string, unknown>) => ({ ...fromLogRow(row as unknown as LogRow), hasBodies: row.hasBodies === true || Number(row.hasBodies) === 1 }));
  }

  async getLog(id: string): Promise<RequestRecord | null> {
    const rows = await this.db.select().from(this.t.requestLogs).where(eq(this.t.requestLogs.id, id));
    return rows[0] ? fromLogRow(rows[0]) : null;
  }

  async loadPrices(): Promise<{ user: Map<string, Price>; modelsDev: ModelsDevPrice[] }> {
    return splitPrices(await this.db.select().from(this.t.prices));
  }

  async replaceModelsDevPrices(prices: ModelsDevPrice[], at: number): Promise<void> {
    const p = this.t.prices;
    const chunks = chunkRows(prices.map((x) => modelsDevPriceRow(x, at)), this.d.maxBoundValues);
    await this.d.atomic((db) => [db.delete(p).where(eq(p.source, 'models.dev')), ...chunks.map((rows) => db.insert(p).values(rows))]);
    this.priceWrites += 1;
  }

  async setUserPrice(model: string, price: Price, at: number): Promise<void> {
    const p = this.t.prices;
    const row = { input: price.input, output: price.output, cacheRead: price.cacheRead, cacheWrite: price.cacheWrite, updatedAt: at };
    await this.d.upsert(this.db, p, { model, source: 'user', ...row }, [p.model, p.source], row);
    this.priceWrites += 1;
  }

  async deleteUserPrice(model: string): Promise<boolean> {
    const p = this.t.prices;
    const deleted = (await this.d.deleteWhere(p, and(eq(p.model, model), eq(p.source, 'user')))) > 0;
    this.priceWrites += 1;
    return deleted;
  }

  async putSyncState(key: string, at: number, ok: boolean, detail: unknown): Promise<void> {
    const row = { lastRunAt: at, ok, detail: JSON.stringify(detail) };
    await this.d.upsert(this.db, this.t.syncState, { key, ...row }, [this.t.syncState.key], row);
  }

  async listSyncState(): Promise<{ key: string; lastRunAt: number; ok: boolean; detail: unknown }[]> {
    const rows = await this.db.select().from(this.t.syncState).orderBy(asc(this.t.syncState.key));
    return rows.map((r) => ({ key: r.key, lastRunAt: r.lastRunAt, ok: r.ok, detail: parseJson(r.detail, {}) }));
  }

  async statsSeries(from: number, to: number, bucket: 'hour' | 'day', by?: 'group' | 'channel' | 'model' | 'key', only: SeriesFilter = {}): Promise<StatsSeriesRow[]> {
    const h = this.t.statsHourly;
    const bucketExpr = bucket === 'day' ? this.d.dayStart(h.hour) : sql<number>`${h.hour}`;
    const dims = { group: h.groupName, channel: h.channelId, model: h.upstreamModel, key: h.apiKeyId } as const;
    // Without `by` every row has key '': not grouped or ordered by a constant (PostgreSQL refuses that).
    const keyCol = by ? dims[by] : undefined;
    const rows = await this.db.select({ bucket: bucketExpr, key: keyCol ? sql<string>`${keyCol}` : sql<string>`''`, ...this.summarySums() })
      .from(h).where(and(
        gte(h.hour, from), lt(h.hour, to),
        only.apiKeyId !== undefined ? eq(h.apiKeyId, only.apiKeyId) : undefined,
        only.groupName !== undefined ? eq(h.groupName, only.groupName) : undefined,
      ))
      .groupBy(...(keyCol ? [bucketExpr, keyCol] : [bucketExpr]))
      .orderBy(...(keyCol ? [bucketExpr, keyCol] : [bucketExpr]));
    return rows.map((r) => numericRow<StatsSeriesRow>(r));
  }

  async keyUsage(apiKeyId: number, from: number, to: number): Promise<StatsCounters> {
    const h = this.t.statsHourly;
    const [row] = await this.db.select(this.sums()).from(h).where(and(eq(h.apiKeyId, apiKeyId), gte(h.hour, from), lt(h.hour, to)));
    return numericRow<StatsCounters>(row ?? {});
  }

  async deleteLogsBefore(before: number): Promise<number> {
    return this.d.deleteWhere(this.t.requestLogs, lt(this.t.requestLogs.time, before));
  }

  async getSetting(key: string): Promise<unknown> {
    const rows = await this.db.select().from(this.t.settings).where(eq(this.t.settings.key, key));
    return rows[0] ? parseJson<unknown>(rows[0].value, undefined) : undefined;
  }

  async putSetting(key: string, value: unknown, at: number): Promise<void> {
    const row = { value: JSON.stringify(value), updatedAt: at };
    await this.d.upsert(this.db, this.t.settings, { key, ...row }, [this.t.settings.key], row);
    if (CONFIG_SETTING_KEYS.has(key)) await this.changed(undefined);
  }

  async statsSummary(from: number, to: number): Promise<StatsSummary> {
    const h = this.t.statsHourly;
    const range = and(gte(h.hour, from), lt(h.hour, to));
    const hours = await this.db.select({ hour: h.hour, ...this.summarySums() }).from(h).where(range).groupBy(h.hour).orderBy(asc(h.hour));
    const all = (await this.db.select(this.summarySums()).from(h).where(range))[0];
    const channels = await this.db.select({ channelId: h.channelId, ...this.summarySums() }).from(h)
      .where(and(range, ne(h.channelId, 0))).groupBy(h.channelId).orderBy(asc(h.channelId));
    return {
      total: all && all.requests !== null ? summaryRow(all) : null,
      hours: hours.map(summaryRow),
      channels: channels.map((c) => numericRow<SummaryCounters & { channelId: number }>(c)),
    };
  }
}
