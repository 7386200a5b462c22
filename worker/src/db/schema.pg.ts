/**
 * Storage schema, PostgreSQL dialect: the same tables and column names as schema.sqlite.ts
 * (read its docs for what each column means).
 *
 * Dialect choices: times, money and token sums are BIGINT read as JS numbers (exact below 2^53);
 * booleans are BOOLEAN; JSON is TEXT (parsed by the store, as in SQLite); ids are identity columns.
 * Composite primary keys are named (the generated names would pass PostgreSQL's 63-byte limit).
 */
import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/** BIGINT as a JS number: ms times, nano-USD money, token and latency sums. */
const big = (name: string) => bigint(name, { mode: 'number' });
/** Auto-numbered INTEGER primary key. */
const autoId = () => integer('id').primaryKey().generatedByDefaultAsIdentity();

export const channels = pgTable('channels', {
  id: autoId(),
  name: text('name').notNull(),
  type: text('type').notNull(),
  baseUrl: text('base_url').notNull(),
  keys: text('keys').notNull().default('[]'),
  models: text('models').notNull().default('[]'),
  headers: text('headers').notNull().default('{}'),
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

export const groups = pgTable('groups', {
  id: autoId(),
  name: text('name').notNull(),
  mode: text('mode').notNull().default('round-robin'),
  settings: text('settings').notNull().default('{}'),
  /** JSON or null: string[] of extra exact names this group answers to (issue 14.3). */
  aliases: text('aliases'),
  /** JSON or null: string[] of regular expressions over requested names, tried after exact names and aliases (issue 14.3). */
  patterns: text('patterns'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: big('created_at').notNull(),
  updatedAt: big('updated_at').notNull(),
}, (t) => [uniqueIndex('groups_name_uq').on(t.name)]);

export const groupMembers = pgTable('group_members', {
  id: autoId(),
  groupId: integer('group_id').notNull().references(() => groups.id, { onDelete: 'cascade' }),
  channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
  upstreamModel: text('upstream_model').notNull(),
  priority: integer('priority').notNull().default(0),
  weight: integer('weight').notNull().default(1),
  /** JSON or null: ChannelOverrides for this member only, applied after the channel's (issue 14.4). */
  overrides: text('overrides'),
  /** A channel type the member always uses (issue 14.5), or null: the endpoint of the client's protocol, else the primary. */
  protocol: text('protocol'),
  enabled: boolean('enabled').notNull().default(true),
}, (t) => [index('group_members_group_idx').on(t.groupId), index('group_members_channel_idx').on(t.channelId)]);

export const apiKeys = pgTable('api_keys', {
  id: autoId(),
  name: text('name').notNull(),
  keyHash: text('key_hash').notNull(),
  keyPrefix: text('key_prefix').notNull(),
  expiresAt: big('expires_at'),
  allowedGroups: text('allowed_groups'),
  budgetNanoUsd: big('budget_nano_usd'),
  rpmLimit: integer('rpm_limit'),
  tpmLimit: big('tpm_limit'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: big('created_at').notNull(),
  lastUsedAt: big('last_used_at'),
}, (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash)]);

export const prices = pgTable('prices', {
  model: text('model').notNull(),
  source: text('source').notNull(),
  input: big('input').notNull().default(0),
  output: big('output').notNull().default(0),
  cacheRead: big('cache_read').notNull().default(0),
  cacheWrite: big('cache_write').notNull().default(0),
  updatedAt: big('updated_at').notNull(),
}, (t) => [primaryKey({ name: 'prices_pk', columns: [t.model, t.source] })]);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: big('updated_at').notNull(),
});

export const statsHourly = pgTable('stats_hourly', {
  hour: big('hour').notNull(),
  groupName: text('group_name').notNull(),
  channelId: integer('channel_id').notNull(),
  upstreamModel: text('upstream_model').notNull(),
  apiKeyId: integer('api_key_id').notNull(),
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

export const requestLogs = pgTable('request_logs', {
  id: text('id').primaryKey(),
  time: big('time').notNull(),
  apiKeyId: integer('api_key_id'),
  groupName: text('group_name'),
  channelId: integer('channel_id'),
  upstreamModel: text('upstream_model'),
  protocolIn: text('protocol_in').notNull(),
  protocolOut: text('protocol_out'),
  stream: boolean('stream').notNull().default(false),
  status: integer('status').notNull(),
  attempts: text('attempts').notNull().default('[]'),
  attemptChannels: text('attempt_channels'),
  inputTokens: big('input_tokens').notNull().default(0),
  cacheReadTokens: big('cache_read_tokens').notNull().default(0),
  cacheWriteTokens: big('cache_write_tokens').notNull().default(0),
  outputTokens: big('output_tokens').notNull().default(0),
  reasoningTokens: big('reasoning_tokens').notNull().default(0),
  costNanoUsd: big('cost_nano_usd').notNull().default(0),
  latencyMs: big('latency_ms').notNull().default(0),
  ttftMs: big('ttft_ms'),
  error: text('error'),
  requestBody: text('request_body'),
  responseBody: text('response_body'),
  upstreamRequestBody: text('upstream_request_body'),
}, (t) => [index('request_logs_time_idx').on(t.time)]);

export const admin = pgTable('admin', {
  id: integer('id').primaryKey(),
  passwordHash: text('password_hash'),
  updatedAt: big('updated_at').notNull(),
});

export const adminSessions = pgTable('admin_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  createdAt: big('created_at').notNull(),
  expiresAt: big('expires_at').notNull(),
});

export const authThrottle = pgTable('auth_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStart: big('window_start').notNull(),
  lockedUntil: big('locked_until').notNull().default(0),
});

export const syncState = pgTable('sync_state', {
  key: text('key').primaryKey(),
  lastRunAt: big('last_run_at').notNull(),
  ok: boolean('ok').notNull(),
  detail: text('detail').notNull().default('{}'),
});

export const appliedFlushes = pgTable('applied_flushes', {
  id: text('id').primaryKey(),
  appliedAt: big('applied_at').notNull(),
});

/** Recent health check results (schema.sqlite.ts says more). */
export const channelChecks = pgTable('channel_checks', {
  id: autoId(),
  channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
  at: big('at').notNull(),
  ok: boolean('ok').notNull(),
  latencyMs: integer('latency_ms').notNull(),
  status: integer('status').notNull(),
  model: text('model').notNull(),
  keyId: text('key_id').notNull(),
  error: text('error'),
}, (t) => [index('channel_checks_channel_idx').on(t.channelId, t.id)]);
