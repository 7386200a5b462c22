/**
 * Storage schema, SQLite dialect: used by D1 on the edge and by better-sqlite3 in Node.
 * MySQL and PostgreSQL get their own table definitions with the same table and column names.
 *
 * Conventions: times are integer milliseconds since the Unix epoch; money is integer nano-USD
 * (1 USD = 1e9); JSON columns hold text that the store layer parses; booleans are 0/1 integers.
 */
import { sqliteTable, integer, text, primaryKey, uniqueIndex, index } from 'drizzle-orm/sqlite-core';

/** Upstream providers. `keys` holds AES-GCM ciphertexts, never plaintext (see lib/crypto.ts). */
export const channels = sqliteTable('channels', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** Wire protocol of the upstream: openai-chat | openai-responses | anthropic | gemini. */
  type: text('type').notNull(),
  baseUrl: text('base_url').notNull(),
  /** JSON: StoredChannelKey[] ({ id, enc, hint, enabled }). */
  keys: text('keys').notNull().default('[]'),
  /** JSON: string[] of upstream model ids this channel serves. */
  models: text('models').notNull().default('[]'),
  /** JSON: Record<string, string> of extra request headers sent upstream. */
  headers: text('headers').notNull().default('{}'),
  /** Optional regex applied to synced model lists. */
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
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [uniqueIndex('channels_name_uq').on(t.name)]);

/** A group is the model name clients send; its members say where requests may go. */
export const groups = sqliteTable('groups', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** round-robin | random | failover | weighted */
  mode: text('mode').notNull().default('round-robin'),
  /** JSON: GroupSettings (timeouts, breaker, sticky sessions); absent fields take defaults. */
  settings: text('settings').notNull().default('{}'),
  /** JSON or null: string[] of extra exact names this group answers to (issue 14.3). */
  aliases: text('aliases'),
  /** JSON or null: string[] of regular expressions over requested names, tried after exact names and aliases (issue 14.3). */
  patterns: text('patterns'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [uniqueIndex('groups_name_uq').on(t.name)]);

export const groupMembers = sqliteTable('group_members', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  groupId: integer('group_id').notNull().references(() => groups.id, { onDelete: 'cascade' }),
  channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
  upstreamModel: text('upstream_model').notNull(),
  /** Lower runs first in failover mode. */
  priority: integer('priority').notNull().default(0),
  /** Share in weighted mode (positive integer). */
  weight: integer('weight').notNull().default(1),
  /** JSON or null: ChannelOverrides for this member only, applied after the channel's (issue 14.4). */
  overrides: text('overrides'),
  /** A channel type the member always uses (issue 14.5), or null: the endpoint of the client's protocol, else the primary. */
  protocol: text('protocol'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
}, (t) => [index('group_members_group_idx').on(t.groupId), index('group_members_channel_idx').on(t.channelId)]);

/** Client API keys. Only the SHA-256 hex of the secret is stored. */
export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  keyHash: text('key_hash').notNull(),
  /** First characters of the secret, for recognising a key in lists. */
  keyPrefix: text('key_prefix').notNull(),
  expiresAt: integer('expires_at'),
  /** JSON: string[] of group names, or null for every group. */
  allowedGroups: text('allowed_groups'),
  budgetNanoUsd: integer('budget_nano_usd'),
  rpmLimit: integer('rpm_limit'),
  tpmLimit: integer('tpm_limit'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
}, (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash)]);

/** Prices in nano-USD per 1M tokens. A `user` row always wins over a `models.dev` row. */
export const prices = sqliteTable('prices', {
  model: text('model').notNull(),
  source: text('source').notNull(),
  input: integer('input').notNull().default(0),
  output: integer('output').notNull().default(0),
  cacheRead: integer('cache_read').notNull().default(0),
  cacheWrite: integer('cache_write').notNull().default(0),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [primaryKey({ columns: [t.model, t.source] })]);

/** Key/value settings; value is JSON. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** One row per (hour, group, channel, upstream model, client key); every view is a sum over these. */
export const statsHourly = sqliteTable('stats_hourly', {
  /** Start of the hour, ms since epoch (UTC). */
  hour: integer('hour').notNull(),
  groupName: text('group_name').notNull(),
  channelId: integer('channel_id').notNull(),
  upstreamModel: text('upstream_model').notNull(),
  apiKeyId: integer('api_key_id').notNull(),
  requests: integer('requests').notNull().default(0),
  successes: integer('successes').notNull().default(0),
  failures: integer('failures').notNull().default(0),
  inputTokens: integer('input_tokens').notNull().default(0),
  cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
  cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
  outputTokens: integer('output_tokens').notNull().default(0),
  reasoningTokens: integer('reasoning_tokens').notNull().default(0),
  costNanoUsd: integer('cost_nano_usd').notNull().default(0),
  latencyMsTotal: integer('latency_ms_total').notNull().default(0),
  ttftMsTotal: integer('ttft_ms_total').notNull().default(0),
  /**
   * The request/attempt breakdown (issue 15 item 2), counted since this column existed: NULL on
   * rows written before (`NULL + n` stays NULL, so such a row never mixes old and new counts).
   * `attempts`/`failed_attempts`: upstream calls on this row's channel and how many failed;
   * `client_errors`: failed requests refused without any upstream call with a 4xx (bad key,
   * unknown model, our own limits, bad input); `upstream_errors`: every other failed request (the
   * client got an upstream fault, or no upstream was available); `rescues`: requests that
   * succeeded after at least one failed attempt. accounting/records.ts aggregateStats writes them.
   */
  attempts: integer('attempts'),
  failedAttempts: integer('failed_attempts'),
  clientErrors: integer('client_errors'),
  upstreamErrors: integer('upstream_errors'),
  rescues: integer('rescues'),
}, (t) => [primaryKey({ columns: [t.hour, t.groupName, t.channelId, t.upstreamModel, t.apiKeyId] })]);

/** One row per client request. Bodies only when the "log bodies" setting is on. */
export const requestLogs = sqliteTable('request_logs', {
  id: text('id').primaryKey(),
  time: integer('time').notNull(),
  apiKeyId: integer('api_key_id'),
  groupName: text('group_name'),
  channelId: integer('channel_id'),
  upstreamModel: text('upstream_model'),
  protocolIn: text('protocol_in').notNull(),
  protocolOut: text('protocol_out'),
  stream: integer('stream', { mode: 'boolean' }).notNull().default(false),
  status: integer('status').notNull(),
  /** JSON: { channelId, memberId, status, ms, error? }[] */
  attempts: text('attempts').notNull().default('[]'),
  /**
   * Every channel id the request tried, comma-delimited with a comma at both ends (`,3,7,`), so
   * "any attempt on channel 7" is `LIKE '%,7,%'` on every dialect (no JSON functions needed).
   * Null on rows written before the column existed (their final `channel_id` still matches).
   */
  attemptChannels: text('attempt_channels'),
  inputTokens: integer('input_tokens').notNull().default(0),
  cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
  cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
  outputTokens: integer('output_tokens').notNull().default(0),
  reasoningTokens: integer('reasoning_tokens').notNull().default(0),
  costNanoUsd: integer('cost_nano_usd').notNull().default(0),
  latencyMs: integer('latency_ms').notNull().default(0),
  ttftMs: integer('ttft_ms'),
  error: text('error'),
  requestBody: text('request_body'),
  responseBody: text('response_body'),
  /** The body sent upstream (after conversion) when it differs from request_body; same condition. */
  upstreamRequestBody: text('upstream_request_body'),
}, (t) => [index('request_logs_time_idx').on(t.time)]);

/** The admin account: a password set from the dashboard overrides the ADMIN_PASSWORD secret. */
export const admin = sqliteTable('admin', {
  id: integer('id').primaryKey(),
  /** PBKDF2-SHA256 encoded as `pbkdf2$<iterations>$<salt b64>$<hash b64>`. */
  passwordHash: text('password_hash'),
  updatedAt: integer('updated_at').notNull(),
});

/** Admin sessions: only the SHA-256 of the cookie token is stored. */
export const adminSessions = sqliteTable('admin_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

/** Login throttling, keyed by client address: `failures` counts attempts in the window starting at `window_start`. */
export const authThrottle = sqliteTable('auth_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStart: integer('window_start').notNull(),
  /** Unused since attempts are counted per window; kept so the table matches its migration. */
  lockedUntil: integer('locked_until').notNull().default(0),
});

/** What each sync (prices, channel model lists) did last. */
export const syncState = sqliteTable('sync_state', {
  key: text('key').primaryKey(),
  lastRunAt: integer('last_run_at').notNull(),
  ok: integer('ok', { mode: 'boolean' }).notNull(),
  /** JSON: what changed, or the error. */
  detail: text('detail').notNull().default('{}'),
});

/**
 * Flushes of buffered stats and logs already written. Inserted in the same batch as the rows it
 * covers: a retried or replayed flush hits the primary key and changes nothing.
 */
export const appliedFlushes = sqliteTable('applied_flushes', {
  id: text('id').primaryKey(),
  appliedAt: integer('applied_at').notNull(),
});

/**
 * Recent results of the scheduled channel health checks (issue 14.6), newest kept: pruned to the
 * last CHECK_HISTORY_KEEP per channel when a result is written. No secret: `key_id` is the stored
 * key's id (not the key), `error` a short redacted text.
 */
export const channelChecks = sqliteTable('channel_checks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  channelId: integer('channel_id').notNull().references(() => channels.id, { onDelete: 'cascade' }),
  /** ms when the check started. */
  at: integer('at').notNull(),
  ok: integer('ok', { mode: 'boolean' }).notNull(),
  /** Wall time of the check, ms. */
  latencyMs: integer('latency_ms').notNull(),
  /** Upstream HTTP status; 0 when no response came. */
  status: integer('status').notNull(),
  model: text('model').notNull(),
  keyId: text('key_id').notNull(),
  error: text('error'),
}, (t) => [index('channel_checks_channel_idx').on(t.channelId, t.id)]);
