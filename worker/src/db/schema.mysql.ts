/**
 * Storage schema, MySQL/MariaDB dialect: the same tables and column names as schema.sqlite.ts
 * (read its docs for what each column means).
 *
 * Dialect choices: times, money and token sums are BIGINT read as JS numbers (exact below 2^53);
 * booleans are BOOLEAN (tinyint(1)); JSON is text. MySQL cannot index unbounded TEXT, so names,
 * ids and hashes that are keys or indexed are VARCHAR with explicit lengths, and compared
 * case-sensitively (utf8mb4_bin) as SQLite does: `GPT-4o` and `gpt-4o` are two models.
 * TEXT cannot have an SQL default in MySQL before 8.0.13, so JSON columns default on the client
 * (`$default`), which is all the store needs. Composite primary keys are named (generated names
 * would pass MySQL's 64-character limit). Databases should default to utf8mb4 (MariaDB 10.11's
 * and MySQL 8's default).
 */
import { customType, bigint, boolean, index, int, mediumtext, mysqlTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/mysql-core';

/** VARCHAR(`length`) in utf8mb4 with binary (case-sensitive) comparison, for keys and indexed names. */
function key(name: string, length: number) {
  return customType<{ data: string; driverData: string }>({
    dataType: () => `varchar(${length}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  })(name);
}

/** BIGINT as a JS number: ms times, nano-USD money, token and latency sums. */
const big = (name: string) => bigint(name, { mode: 'number' });

/** Lengths of key columns. */
const NAME = 255;
const ID = 128;
const HASH = 64;

export const channels = mysqlTable('channels', {
  id: int('id').autoincrement().primaryKey(),
  name: key('name', NAME).notNull(),
  type: key('type', 32).notNull(),
  baseUrl: text('base_url').notNull(),
  /** JSON: StoredChannelKey[]; MEDIUMTEXT because a channel may hold many keys. */
  keys: mediumtext('keys').notNull().$default(() => '[]'),
  /** JSON: string[]; MEDIUMTEXT because synced model lists can be long. */
  models: mediumtext('models').notNull().$default(() => '[]'),
  headers: text('headers').notNull().$default(() => '{}'),
  modelFilter: text('model_filter'),
  /**
   * JSON or null: ChannelOverrides ({ body?: JSON merge patch (RFC 7396) applied to every upstream
   * body after encoding, headers?: Record<string, string | null> set or removed }) (issue 14.4).
   */
  overrides: text('overrides'),
  /**
   * JSON or null: the channel's outbound proxy in Node mode (issue 14.7): { url } with any
   * credentials of the URL sealed like channel keys (lib/crypto.ts); refused on the Worker.
   */
  proxy: text('proxy'),
  /**
   * JSON or null: the channel's extra endpoints (issue 14.5), [{ type, baseUrl }], each another
   * protocol the same account serves; keys, headers, overrides and proxy are shared. null = none.
   */
  endpoints: text('endpoints'),
  /**
   * JSON or null: the channel's scheduled health check (issue 14.6): { enabled, intervalMinutes,
   * model (null = the channel's first model), failureThreshold } (sync/health-checks.ts).
   */
  healthCheck: text('health_check'),
  /**
   * JSON or null: the health check's running state: { failures (consecutive), down, downSince,
   * lastAt, lastOk, keyCursor }; `down` keeps the channel's members out of routing.
   */
  healthState: text('health_state'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: big('created_at').notNull(),
  updatedAt: big('updated_at').notNull(),
}, (t) => [uniqueIndex('channels_name_uq').on(t.name)]);

export const groups = mysqlTable('groups', {
  id: int('id').autoincrement().primaryKey(),
  name: key('name', NAME).notNull(),
  mode: key('mode', 32).notNull().default('round-robin'),
  settings: text('settings').notNull().$default(() => '{}'),
  /** JSON or null: string[] of extra exact names this group answers to (issue 14.3). */
  aliases: text('aliases'),
  /** JSON or null: string[] of regular expressions over requested names, tried after exact names and aliases (issue 14.3). */
  patterns: text('patterns'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: big('created_at').notNull(),
  updatedAt: big('updated_at').notNull(),
}, (t) => [uniqueIndex('groups_name_uq').on(t.name)]);

export const groupMembers = mysqlTable('group_members', {
  id: int('id').autoincrement().primaryKey(),
  groupId: int('group_id').notNull().references(() => groups.id, { onDelete: 'cascade' }),
  channelId: int('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
  upstreamModel: key('upstream_model', NAME).notNull(),
  priority: int('priority').notNull().default(0),
  weight: int('weight').notNull().default(1),
  /** JSON or null: ChannelOverrides for this member only, applied after the channel's (issue 14.4). */
  overrides: text('overrides'),
  /** A channel type the member always uses (issue 14.5), or null: the endpoint of the client's protocol, else the primary. */
  protocol: text('protocol'),
  enabled: boolean('enabled').notNull().default(true),
}, (t) => [index('group_members_group_idx').on(t.groupId), index('group_members_channel_idx').on(t.channelId)]);

export const apiKeys = mysqlTable('api_keys', {
  id: int('id').autoincrement().primaryKey(),
  name: text('name').notNull(),
  keyHash: key('key_hash', HASH).notNull(),
  keyPrefix: key('key_prefix', 32).notNull(),
  expiresAt: big('expires_at'),
  allowedGroups: text('allowed_groups'),
  budgetNanoUsd: big('budget_nano_usd'),
  rpmLimit: int('rpm_limit'),
  tpmLimit: big('tpm_limit'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: big('created_at').notNull(),
  lastUsedAt: big('last_used_at'),
}, (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash)]);

export const prices = mysqlTable('prices', {
  /** A user price's model name, or `provider/model` for a models.dev price. */
  model: key('model', NAME).notNull(),
  source: key('source', 16).notNull(),
  input: big('input').notNull().default(0),
  output: big('output').notNull().default(0),
  cacheRead: big('cache_read').notNull().default(0),
  cacheWrite: big('cache_write').notNull().default(0),
  updatedAt: big('updated_at').notNull(),
}, (t) => [primaryKey({ name: 'prices_pk', columns: [t.model, t.source] })]);

export const settings = mysqlTable('settings', {
  key: key('key', NAME).primaryKey(),
  value: mediumtext('value').notNull(),
  updatedAt: big('updated_at').notNull(),
});

export const statsHourly = mysqlTable('stats_hourly', {
  hour: big('hour').notNull(),
  groupName: key('group_name', NAME).notNull(),
  channelId: int('channel_id').notNull(),
  upstreamModel: key('upstream_model', NAME).notNull(),
  apiKeyId: int('api_key_id').notNull(),
  requests: big('requests').notNull().default(0),
  successes: big('successes').notNull().default(0),
  failures: big('failures').notNull().default(0),
  inputTokens: big('input_tokens').notNull().default(0),
  cacheReadTokens: big('cache_read_tokens').notNull().default(0),
  cacheWriteTokens: big('cache_write_tokens').notNull().default(0),
  outputTokens: big('output_tokens').notNull().default(0),
  reasoningTokens: big('reasoning_tokens').notNull().default(0),
  costNanoUsd: big('cost_nano_usd').notNull().default(0),
  latencyMsTotal: big('latency_ms_total').notNull().default(0),
  ttftMsTotal: big('ttft_ms_total').notNull().default(0),
  /**
   * The request/attempt breakdown (issue 15 item 2), counted since this column existed: NULL on
   * rows written before (`NULL + n` stays NULL, so such a row never mixes old and new counts).
   * `attempts`/`failed_attempts`: upstream calls on this row's channel and how many failed;
   * `client_errors`: failed requests refused without any upstream call with a 4xx (bad key,
   * unknown model, our own limits, bad input); `upstream_errors`: every other failed request (the
   * client got an upstream fault, or no upstream was available); `rescues`: requests that
   * succeeded after at least one failed attempt. accounting/records.ts aggregateStats writes them.
   */
  attempts: big('attempts'),
  failedAttempts: big('failed_attempts'),
  clientErrors: big('client_errors'),
  upstreamErrors: big('upstream_errors'),
  rescues: big('rescues'),
}, (t) => [primaryKey({ name: 'stats_hourly_pk', columns: [t.hour, t.groupName, t.channelId, t.upstreamModel, t.apiKeyId] })]);

export const requestLogs = mysqlTable('request_logs', {
  id: key('id', ID).primaryKey(),
  time: big('time').notNull(),
  apiKeyId: int('api_key_id'),
  groupName: key('group_name', NAME),
  channelId: int('channel_id'),
  upstreamModel: key('upstream_model', NAME),
  protocolIn: key('protocol_in', 32).notNull(),
  protocolOut: key('protocol_out', 32),
  stream: boolean('stream').notNull().default(false),
  status: int('status').notNull(),
  attempts: mediumtext('attempts').notNull().$default(() => '[]'),
  attemptChannels: text('attempt_channels'),
  inputTokens: big('input_tokens').notNull().default(0),
  cacheReadTokens: big('cache_read_tokens').notNull().default(0),
  cacheWriteTokens: big('cache_write_tokens').notNull().default(0),
  outputTokens: big('output_tokens').notNull().default(0),
  reasoningTokens: big('reasoning_tokens').notNull().default(0),
  costNanoUsd: big('cost_nano_usd').notNull().default(0),
  latencyMs: big('latency_ms').notNull().default(0),
  ttftMs: big('ttft_ms'),
  error: mediumtext('error'),
  requestBody: mediumtext('request_body'),
  responseBody: mediumtext('response_body'),
  upstreamRequestBody: mediumtext('upstream_request_body'),
}, (t) => [index('request_logs_time_idx').on(t.time)]);

export const admin = mysqlTable('admin', {
  id: int('id').primaryKey(),
  passwordHash: text('password_hash'),
  updatedAt: big('updated_at').notNull(),
});

export const adminSessions = mysqlTable('admin_sessions', {
  tokenHash: key('token_hash', HASH).primaryKey(),
  createdAt: big('created_at').notNull(),
  expiresAt: big('expires_at').notNull(),
});

export const authThrottle = mysqlTable('auth_throttle', {
  key: key('key', NAME).primaryKey(),
  failures: int('failures').notNull().default(0),
  windowStart: big('window_start').notNull(),
  lockedUntil: big('locked_until').notNull().default(0),
});

export const syncState = mysqlTable('sync_state', {
  key: key('key', NAME).primaryKey(),
  lastRunAt: big('last_run_at').notNull(),
  ok: boolean('ok').notNull(),
  detail: mediumtext('detail').notNull().$default(() => '{}'),
});

export const appliedFlushes = mysqlTable('applied_flushes', {
  id: key('id', ID).primaryKey(),
  appliedAt: big('applied_at').notNull(),
});

/** Recent health check results (schema.sqlite.ts says more). */
export const channelChecks = mysqlTable('channel_checks', {
  id: int('id').autoincrement().primaryKey(),
  channelId: int('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
  at: big('at').notNull(),
  ok: boolean('ok').notNull(),
  latencyMs: int('latency_ms').notNull(),
  status: int('status').notNull(),
  model: text('model').notNull(),
  keyId: text('key_id').notNull(),
  error: text('error'),
}, (t) => [index('channel_checks_channel_idx').on(t.channelId, t.id)]);
