/**
 * The OpenAPI 3.1 document of the gateway: the admin API (`/api/v1/*`) and the relay endpoints.
 *
 * Built at development time with zod-openapi (a devDependency: it runs on `z.toJSONSchema`, so the
 * request bodies and queries below are the very zod schemas the routes validate with, never copies)
 * and written to worker/src/admin/openapi.json by `npm run openapi`. The route serves that file as a
 * static import, so the Worker carries no generator; worker/test/unit/openapi.test.ts fails when the
 * committed file drifts from what this module builds, or when a route of the app is missing here.
 *
 * Response shapes are written here in zod (they are outputs of views, not validated input); the
 * type checks at the bottom tie the main ones to the views' return types. The relay validates with
 * the protocol codecs, not zod, so its bodies are loose objects pointing to the provider's reference.
 */
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { CHANNEL_TYPES, GROUP_MODES } from '../src/db/types';
import { ChannelTestBody, type ChannelTestResult } from '../src/admin/channel-test';
import type { DraftModelsResult } from '../src/admin/channel-draft';
import { HealthChecksQuery, type checkView } from '../src/admin/health-checks';
import type { ChannelHealthState, HealthCheckConfig } from '../src/db/types';
import {
  ApiKeyCreate, ApiKeyUpdate, ChannelCreate, ChannelDraft, ChannelDraftTest, ChannelUpdate, GroupCreate, GroupSettingsInput, GroupUpdate, LoginBody, PasswordChangeBody, UserPriceBody,
} from '../src/admin/schemas';
import { ME_MAX_HOURLY_SPAN_MS, ME_MAX_SPAN_MS, MeQuery, type recentView } from '../src/admin/me';
import { CSV_MAX_ROWS, LogFilterQuery, LogQuery, RangeQuery, SeriesQuery } from '../src/admin/stats';
import { MAX_OPEN_TAILS, TAIL_HEARTBEAT_MS, TAIL_MAX_LIFE_MS, TAIL_POLL_MS } from '../src/admin/log-tail';
import { SESSION_COOKIE } from '../src/admin/session';
import { SettingsBody } from '../src/settings';
import { BackupExportBody, BackupImportBody } from '../src/admin/backup';
import { BackupFile } from '../src/backup/format';
import type { apiKeyView, channelView, groupView } from '../src/admin/views';
import type { ChannelHealthEntry, GroupHealthEntry, MemberHealthView as MemberHealthViewType } from '../src/admin/health-view';
import type { PatternCatch } from '../src/routing/catches';
import type { ImportReport } from '../src/backup/apply';

// ---- shared pieces -------------------------------------------------------------------------

const ms = z.number().int().describe('ms since epoch');

/** The admin API's error body. */
const AdminError = z.looseObject({
  error: z.looseObject({
    code: z.string().describe('machine-readable, e.g. `not_found`, `invalid_request`, `conflict`, `unauthorized`'),
    message: z.string().describe('human-readable; names the offending field as a dotted path for validation errors'),
  }),
}).meta({ id: 'AdminError', description: 'Every admin API error: `{"error":{"code","message"}}`.' });

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const err = (description: string) => json(AdminError, description);

/** A shared error response, registered once under components.responses (the document stays small). */
const sharedErr = (id: string, description: string) => ({ id, ...err(description) });
const INVALID_BODY = sharedErr('InvalidBody', 'Invalid JSON (`invalid_json`) or a body the schema refuses (`invalid_request`, naming the field).');
const TOO_LARGE = sharedErr('PayloadTooLarge', 'The body is larger than 1 MiB (`payload_too_large`).');
const NOT_JSON = sharedErr('UnsupportedMediaType', 'The body is not `application/json` (`unsupported_media_type`).');
const UNAUTHORIZED = sharedErr('Unauthorized', 'No live admin session (`unauthorized`).');
const CROSS_ORIGIN = sharedErr('CrossOrigin', 'A state-changing request from another origin (`cross_origin`).');
const DB_DOWN = sharedErr('DatabaseUnavailable', 'The database is unreachable (`database_unavailable`, with `retry-after`).');

/** Errors any admin operation can answer, besides its own. */
const adminErrors = (opts: { auth?: boolean; body?: boolean } = {}): ZodOpenApiResponsesObject => ({
  ...(opts.body && { 400: INVALID_BODY, 413: TOO_LARGE, 415: NOT_JSON }),
  ...(opts.auth !== false && { 401: UNAUTHORIZED }),
  403: CROSS_ORIGIN,
  503: DB_DOWN,
});

const idPath = { path: z.looseObject({ id: z.string().regex(/^\d{1,15}$/).describe('positive integer id') }) };
const noContent = { 204: { description: 'Deleted.' } };

const ChannelKeyView = z.looseObject({ id: z.string(), hint: z.string().describe('last 4 characters of the key'), enabled: z.boolean() });
const Overrides = z.strictObject({
  body: z.record(z.string(), z.unknown()).optional().describe('JSON merge patch (RFC 7396) applied to the encoded upstream body'),
  headers: z.record(z.string(), z.string().nullable()).optional().describe('header name → value to set, or null to remove it'),
}).nullable().describe('Request overrides (`body` merge patch, `headers`); credential header values shown as their hint. See README "Request overrides".');

const HealthCheckView = z.strictObject({
  enabled: z.boolean(),
  intervalMinutes: z.number().int().describe('minutes between two checks, 1..1440'),
  model: z.string().nullable().describe('upstream model asked; null = the channel\'s first model'),
  failureThreshold: z.number().int().describe('consecutive failures that take the channel\'s members out of routing'),
}).meta({ id: 'HealthCheck' });
const HealthStateView = z.strictObject({
  failures: z.number().int().describe('consecutive failed checks'),
  down: z.boolean().describe('members skipped by routing until a check passes (unless every member of a group is down)'),
  downSince: ms.nullable(),
  lastAt: ms,
  lastOk: z.boolean(),
  keyCursor: z.number().int().describe('position of the next key to check with, among the enabled keys'),
}).meta({ id: 'HealthState' });
const HealthCheckResultView = z.strictObject({
  at: ms,
  ok: z.boolean(),
  latencyMs: z.number(),
  status: z.number().int().describe('HTTP status of the upstream; 0 when no response came'),
  model: z.string(),
  keyIndex: z.number().int().nullable().describe('position of the key used in the channel\'s keys (0-based); null when removed since'),
  error: z.string().nullable().describe('short, redacted of secrets; null when ok'),
}).meta({ id: 'HealthCheckResult' });

const ChannelView = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  baseUrl: z.string(),
  keys: z.array(ChannelKeyView),
  models: z.array(z.string()),
  headers: z.record(z.string(), z.string()).describe('credential header values shown as their hint'),
  modelFilter: z.string().nullable(),
  overrides: Overrides.optional(),
  healthCheck: HealthCheckView.nullable().optional().describe('the scheduled health check; null = none'),
  healthState: HealthStateView.nullable().optional().describe('what the checks found; null = never checked'),
  enabled: z.boolean(),
  createdAt: ms,
  updatedAt: ms,
}).meta({ id: 'Channel' });

const GroupMemberView = z.looseObject({
  id: z.number().int(),
  groupId: z.number().int(),
  channelId: z.number().int(),
  upstreamModel: z.string(),
  priority: z.number().int(),
  weight: z.number().int(),
  overrides: Overrides.optional(),
  enabled: z.boolean(),
});

const GroupView = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  mode: z.enum(GROUP_MODES),
  settings: GroupSettingsInput,
  aliases: z.array(z.string()),
  patterns: z.array(z.string()),
  enabled: z.boolean(),
  members: z.array(GroupMemberView),
  createdAt: ms,
  updatedAt: ms,
}).meta({ id: 'Group' });

const ApiKeyView = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  keyPrefix: z.string().describe('first 10 characters of the secret'),
  expiresAt: ms.nullable(),
  allowedGroups: z.array(z.string()).nullable().describe('null: every group'),
  budgetUsd: z.number().nullable(),
  rpmLimit: z.number().int().nullable(),
  tpmLimit: z.number().int().nullable(),
  enabled: z.boolean(),
  createdAt: ms,
  lastUsedAt: ms.nullable(),
}).meta({ id: 'ApiKey' });

const Session = z.looseObject({ authenticated: z.boolean(), expiresAt: ms.optional() }).meta({ id: 'Session' });

const counters = {
  requests: z.number().int(),
  successes: z.number().int(),
  failures: z.number().int().describe('failed requests plus failed attempts failover absorbed; can exceed requests - successes'),
  inputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  costNanoUsd: z.number().int(),
  costUsd: z.number(),
  latencyMsTotal: z.number(),
  ttftMsTotal: z.number(),
  attempts: z.number().int().describe('upstream calls on the channel(s)'),
  failedAttempts: z.number().int(),
  clientErrors: z.number().int().describe('failed requests refused with a 4xx before any upstream call'),
  upstreamErrors: z.number().int().describe('every other failed request'),
  rescues: z.number().int().describe('requests that succeeded after a failed attempt'),
};
const StatsRow = z.looseObject({ hour: ms, ...counters, successRate: z.number().nullable() }).meta({ id: 'StatsRow' });
const SummaryRow = StatsRow.extend({
  untrackedRequests: z.number().int().describe('requests counted before the breakdown counters existed'),
  untrackedSuccesses: z.number().int(),
  untrackedFailures: z.number().int(),
}).meta({ id: 'SummaryRow' });
const Breakdown = z.looseObject({
  requests: z.looseObject({
    total: z.number().int(), succeeded: z.number().int(), rescued: z.number().int().describe('of succeeded: after a failed attempt'),
    failed: z.number().int().describe('clientErrors + upstreamErrors'), clientErrors: z.number().int(), upstreamErrors: z.number().int(),
    clientClosed: z.number().int(), untracked: z.number().int().describe('total = succeeded + failed + clientClosed + untracked'),
  }),
  attempts: z.looseObject({ total: z.number().int(), failed: z.number().int(), absorbed: z.number().int().describe('failed attempts followed by another attempt') }),
}).meta({ id: 'StatsBreakdown', description: 'Requests apart from upstream attempts (admin/summary.ts).' });
const ChannelSummary = z.looseObject({
  channelId: z.number().int(), requests: z.number().int(), successes: z.number().int(), attempts: z.number().int(), failedAttempts: z.number().int(),
  everyAttemptFailed: z.boolean().describe('at least one attempt, every one failed: a problem even when failover rescued the requests'),
}).meta({ id: 'ChannelSummary' });

/** admin/assembled-stream.ts AssembledStream. */
const AssembledStreamView = z.object({
  text: z.string(), reasoning: z.string(),
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string().describe('JSON text as streamed') })),
  finishReason: z.string().nullable(), usage: z.record(z.string(), z.number()).nullable(), error: z.string().nullable(),
  incomplete: z.boolean().describe('no finish in the body: cut by the log size, the client or the upstream'),
}).describe('A streamed answer read back from the logged events; null for a non-stream answer or without a body.');

const LogView = z.looseObject({
  id: z.string(),
  time: ms,
  apiKeyId: z.number().int(),
  groupName: z.string(),
  channelId: z.number().int().describe('0 when no channel was tried'),
  upstreamModel: z.string(),
  protocolIn: z.string(),
  protocolOut: z.string().nullable(),
  stream: z.boolean(),
  status: z.number().int(),
  ok: z.boolean(),
  attempts: z.array(z.record(z.string(), z.unknown())),
  usage: z.record(z.string(), z.unknown()).nullable(),
  costNanoUsd: z.number().int(),
  costUsd: z.number(),
  latencyMs: z.number(),
  ttftMs: z.number().nullable(),
  error: z.string().nullable(),
  count: z.number().int().optional(),
  hasBodies: z.boolean(),
}).meta({ id: 'RequestLog' });

const PriceView = z.looseObject({ input: z.number(), output: z.number(), cacheRead: z.number(), cacheWrite: z.number() })
  .describe('USD per 1M tokens').meta({ id: 'Price' });

const MEMBER_STATES = ['healthy', 'idle', 'degraded', 'rate-limited', 'down', 'disabled'] as const;
const RecentTrafficView = z.strictObject({
  samples: z.number().int().describe('attempts in the window: the last 128 of the member, none older than 15 min'),
  ok: z.number().int(),
  failed: z.number().int().describe('channel faults other than 429'),
  rateLimited: z.number().int().describe('upstream 429s'),
  successRate: z.number().nullable().describe('ok / samples, 0..1; null without attempts'),
  latencyP50Ms: z.number().nullable().describe('whole answer time of successful attempts, ms'),
  latencyP95Ms: z.number().nullable(),
  ttftP50Ms: z.number().nullable().describe('time to first token of successful streamed attempts, ms'),
  ttftP95Ms: z.number().nullable(),
}).meta({ id: 'RecentTraffic' });
const MemberHealthView = z.strictObject({
  phase: z.enum(['closed', 'open', 'half-open']).describe('circuit breaker phase'),
  consecutiveFailures: z.number().int(),
  cooldownUntil: z.number().describe('ms since epoch when an open breaker may be probed; 0 when closed'),
  lastStatus: z.number().int(),
  lastError: z.string().nullable().describe('the last error as the upstream gave it (credentials redacted)'),
  lastAt: ms,
  state: z.enum(MEMBER_STATES).describe('README "Health": down, rate-limited, degraded, idle, healthy, disabled'),
  routable: z.boolean().describe('can take requests now'),
  reason: z.string().describe('why this state, in plain words'),
  problem: z.strictObject({ text: z.string(), detail: z.string().nullable() }).nullable()
    .describe('the last error in plain words (times in UTC); detail: the upstream\'s message. Null when the last attempt succeeded'),
  recent: RecentTrafficView,
  keys: z.strictObject({ total: z.number().int(), rateLimited: z.number().int(), unauthorised: z.number().int() })
    .describe('the channel\'s enabled keys, and how many cool down after a 429 or a 401/403'),
}).meta({ id: 'MemberHealth' });
const CatchView = z.strictObject({ model: z.string(), pattern: z.string(), count: z.number().int(), firstAt: ms, lastAt: ms });
const GroupHealthEntryView = z.looseObject({
  status: z.enum(['healthy', 'degraded', 'down']).describe('down: no member can take requests; degraded: some member is not healthy'),
  reason: z.string(),
  members: z.record(z.string(), MemberHealthView).describe('by member id'),
  catches: z.array(CatchView).optional().describe('when the group has patterns'),
  error: z.string().optional().describe('the group\'s holder did not answer; `members` is then empty'),
});
const ChannelHealthEntryView = z.looseObject({
  state: z.enum(MEMBER_STATES),
  reason: z.string(),
  members: z.number().int().describe('group members on this channel'),
  recent: RecentTrafficView.describe('summed over its members; percentiles from merged histograms (±15 %)'),
});
const HealthAnswerView = z.looseObject({
  groups: z.record(z.string(), GroupHealthEntryView).describe('by group id'),
  channels: z.record(z.string(), ChannelHealthEntryView).describe('by channel id, channels in at least one group'),
});
const ChannelTestResultView = z.looseObject({
  ok: z.boolean(),
  status: z.number().int().describe('HTTP status of the upstream; 0 when no response came'),
  latencyMs: z.number(),
  model: z.string(),
  error: z.string().optional().describe('redacted of the key'),
});
const DraftModelsView = z.looseObject({ models: z.array(z.string()).describe('model ids the upstream lists, the draft\'s filter applied, sorted') });
const UpstreamError = z.looseObject({
  error: z.looseObject({
    code: z.literal('upstream_error'),
    message: z.string().describe('what the upstream answered (its status, the start of its body), redacted of the key'),
    upstreamStatus: z.number().int().nullable().describe('HTTP status of the upstream; null when no usable answer came (network error, timeout)'),
  }),
});

const KindCounts = z.strictObject({ create: z.number().int(), update: z.number().int(), delete: z.number().int(), unchanged: z.number().int() });
const ImportReportView = z.looseObject({
  dryRun: z.boolean(),
  mode: z.enum(['merge', 'replace']),
  source: z.enum(['octopus-edge', 'octopus']),
  changes: z.strictObject({ channels: KindCounts, groups: KindCounts, apiKeys: KindCounts, prices: KindCounts, settings: KindCounts }),
  warnings: z.array(z.string()).describe('what was left out or changed, in plain words'),
}).meta({ id: 'ImportReport' });

// ---- admin operations ----------------------------------------------------------------------

const admin = (tag: string, op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({ tags: [tag], security: [{ adminSession: [] }], ...op });
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });

function crud(tag: string, what: string, view: z.ZodType, create: z.ZodType, update: z.ZodType, extra: ZodOpenApiResponsesObject = {}): ZodOpenApiPathsObject {
  return {
    [`/api/v1/${tag}`]: {
      get: admin(tag, { summary: `List ${what}s`, responses: { 200: json(z.looseObject({ data: z.array(view) }), `Every ${what}.`), ...adminErrors() } }),
      post: admin(tag, {
        summary: `Create a ${what}`, requestBody: body(create),
        responses: { 201: json(view, `The new ${what}.`), 409: err('A name already in use (`conflict`).'), ...extra, ...adminErrors({ body: true }) },
      }),
    },
    [`/api/v1/${tag}/{id}`]: {
      get: admin(tag, { summary: `Get a ${what}`, requestParams: idPath, responses: { 200: json(view, `The ${what}.`), 404: err(`No such ${what}.`), ...adminErrors() } }),
      patch: admin(tag, {
        summary: `Change a ${what} (fields left out are kept)`, requestParams: idPath, requestBody: body(update),
        responses: { 200: json(view, `The changed ${what}.`), 404: err(`No such ${what}.`), 409: err('A name already in use (`conflict`).'), ...adminErrors({ body: true }) },
      }),
      delete: admin(tag, { summary: `Delete a ${what}`, requestParams: idPath, responses: { ...noContent, 404: err(`No such ${what}.`), ...adminErrors() } }),
    },
  };
}

const modelPath = { path: z.looseObject({ model: z.string().min(1).max(200).describe('upstream model name (may contain `/`)') }) };

/** Counters a key holder sees. */
const MeUsage = {
  requests: z.number().int(), successes: z.number().int(), inputTokens: z.number().int(), cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(), outputTokens: z.number().int(), reasoningTokens: z.number().int().describe('a part of outputTokens'), costUsd: z.number(),
};
const MeRecent = z.strictObject({
  id: z.string(), time: ms, group: z.string().describe('the group (model name) asked for'), model: z.string().describe('upstream model that served'),
  stream: z.boolean(), status: z.number().int(), ok: z.boolean(),
  inputTokens: z.number().int(), cacheReadTokens: z.number().int(), cacheWriteTokens: z.number().int(), outputTokens: z.number().int(), reasoningTokens: z.number().int(),
  costUsd: z.number(), latencyMs: z.number(), ttftMs: z.number().nullable(),
}).meta({ id: 'MeRecentRequest' });
const MeView = z.looseObject({
  key: z.looseObject({
    name: z.string(), prefix: z.string(), state: z.literal('active'), createdAt: ms, lastUsedAt: ms.nullable(), expiresAt: ms.nullable(),
    allowedGroups: z.array(z.string()).nullable().describe('null = every group'),
  }),
  limits: z.looseObject({ rpm: z.number().int().nullable(), tpm: z.number().int().nullable(), budgetUsd: z.number().nullable().describe('over the key\'s whole life; null = none') }),
  spent: z.looseObject({ allTimeUsd: z.number(), remainingUsd: z.number().nullable().describe('never below 0; null without a budget'), requests: z.number().int() }),
  range: z.looseObject({ from: ms, to: ms, bucket: z.enum(['hour', 'day']) }),
  total: z.looseObject(MeUsage),
  byModel: z.array(z.looseObject({ model: z.string(), ...MeUsage })).describe('most expensive first'),
  series: z.array(z.looseObject({ bucket: ms.describe('start of the hour or UTC day'), model: z.string(), ...MeUsage })),
  recent: z.array(MeRecent).describe('newest first'),
  note: z.string(),
}).meta({ id: 'Me' });

const adminPaths: ZodOpenApiPathsObject = {
  '/api/v1/auth/login': {
    post: {
      tags: ['auth'], summary: 'Log in with the admin password; sets the session cookie', requestBody: body(LoginBody), security: [],
      responses: {
        200: { ...json(Session, 'Logged in.'), headers: { 'set-cookie': { schema: { type: 'string' }, description: `${SESSION_COOKIE}=…; HttpOnly; SameSite=Strict` } } },
        401: err('Wrong password (`invalid_password`).'),
        429: err('Too many failed password checks from this address (`too_many_attempts`, with `retry-after`).'),
        ...adminErrors({ auth: false, body: true }),
        503: err('No admin password is configured (`admin_password_unset`), or the database is unreachable.'),
      },
    },
  },
  '/api/v1/auth/logout': {
    post: { tags: ['auth'], summary: 'End the session', security: [], responses: { 200: json(Session, 'Logged out.'), ...adminErrors({ auth: false }) } },
  },
  '/api/v1/auth/session': {
    get: { tags: ['auth'], summary: 'Whether the cookie names a live session (never 401)', security: [], responses: { 200: json(Session, 'The session state.'), ...adminErrors({ auth: false }) } },
  },
  '/api/v1/auth/password': {
    put: admin('auth', {
      summary: 'Change the admin password; ends every other session', requestBody: body(PasswordChangeBody),
      responses: { 200: json(Session, 'Changed; a new session cookie is set.'), 429: err('Too many failed password checks (`too_many_attempts`).'), ...adminErrors({ body: true }) },
    }),
  },
  ...crud('channels', 'channel', ChannelView, ChannelCreate, ChannelUpdate, { 400: err('Invalid body, or an unknown stored key id.') }),
  '/api/v1/channels/{id}/test': {
    post: admin('channels', {
      summary: 'Send one small request straight to the channel',
      description: 'A `ping` with at most 16 output tokens, with the first enabled key, bypassing groups and accounting. The body is optional (the channel\'s first model is tried).',
      requestParams: idPath, requestBody: { required: false, content: { 'application/json': { schema: ChannelTestBody } } },
      responses: { 200: json(ChannelTestResultView, 'What happened, whatever the upstream said.'), 404: err('No such channel.'), ...adminErrors({ body: true }), 400: err('No model to test, no enabled key, or an invalid body.') },
    }),
  },
  '/api/v1/channels/test': {
    post: admin('channels', {
      summary: 'Test a channel before it is saved',
      description: 'The same request as `POST /channels/{id}/test`, for the channel the body describes (nothing is stored). With `channelId`, fields left out (and `keys` left out or empty) are the stored channel\'s, so an edited channel is tested with its stored keys.',
      requestBody: body(ChannelDraftTest),
      responses: { 200: json(ChannelTestResultView, 'What happened, whatever the upstream said.'), 404: err('No channel with `channelId`.'), ...adminErrors({ body: true }), 400: err('No enabled key, a proxy on the Worker, or an invalid body.') },
    }),
  },
  '/api/v1/channels/models': {
    post: admin('channels', {
      summary: 'List the models of a channel before it is saved',
      description: 'The model sync\'s list call for the channel the body describes (nothing is stored). `channelId` as for `POST /channels/test`.',
      requestBody: body(ChannelDraft),
      responses: {
        200: json(DraftModelsView, 'The models.'), 404: err('No channel with `channelId`.'), ...adminErrors({ body: true }),
        400: err('No enabled key, a proxy on the Worker, or an invalid body.'), 502: json(UpstreamError, 'The upstream refused or failed (`upstream_error`, with its status).'),
      },
    }),
  },
  '/api/v1/channels/health-checks': {
    get: admin('channels', {
      summary: 'Recent health check results of every channel, newest first', requestParams: { query: HealthChecksQuery },
      responses: { 200: json(z.looseObject({ data: z.record(z.string(), z.array(HealthCheckResultView)).describe('by channel id; channels never checked are absent') }), 'Results by channel.'), 400: err('A bad `limit`.'), ...adminErrors() },
    }),
  },
  '/api/v1/channels/{id}/health-checks': {
    get: admin('channels', {
      summary: 'The channel\'s kept health check results (the last 50), newest first', requestParams: idPath,
      responses: { 200: json(z.looseObject({ data: z.array(HealthCheckResultView) }), 'Results.'), 404: err('No such channel.'), ...adminErrors() },
    }),
  },
  '/api/v1/channels/{id}/health-check': {
    post: admin('channels', {
      summary: 'Run the channel\'s health check now',
      description: 'Recorded like a scheduled check: it counts toward the failure threshold and a pass brings a channel that is down back. Never billed to a client key.',
      requestParams: idPath,
      responses: { 200: json(z.looseObject({ result: HealthCheckResultView, state: HealthStateView }), 'The result and the channel\'s new state.'), 400: err('The channel has no enabled key.'), 404: err('No such channel.'), ...adminErrors() },
    }),
  },
  '/api/v1/channels/{id}/sync-models': {
    post: admin('sync', {
      summary: 'Sync the channel\'s model list from its upstream now', requestParams: idPath,
      responses: { 200: json(z.record(z.string(), z.unknown()), 'The models added and removed.'), 404: err('No such channel.'), 502: err('The upstream refused or failed (`sync_failed`).'), ...adminErrors() },
    }),
  },
  ...crud('groups', 'group', GroupView, GroupCreate, GroupUpdate, { 400: err('Invalid body, or a member names an unknown channel.') }),
  '/api/v1/groups/health': {
    get: admin('groups', {
      summary: 'Live health of every group in one answer (for polling)',
      description: 'At most 16 group holders are asked at once; a holder that fails gives its group an entry with `error` and empty `members`, never a failed answer.',
      responses: { 200: json(HealthAnswerView, 'Health by group and by channel.'), ...adminErrors() },
    }),
  },
  '/api/v1/groups/{id}/health': {
    get: admin('groups', { summary: 'Live health of one group and its members', requestParams: idPath, responses: { 200: json(GroupHealthEntryView, 'The group\'s status and its members\' health.'), 404: err('No such group.'), ...adminErrors() } }),
  },
  '/api/v1/groups/{id}/catches': {
    get: admin('groups', { summary: 'The last names the group\'s patterns caught, newest first', requestParams: idPath, responses: { 200: json(z.looseObject({ catches: z.array(CatchView) }), 'Recent catches.'), 404: err('No such group.'), ...adminErrors() } }),
  },
  ...(() => {
    const paths = crud('keys', 'client API key', ApiKeyView, ApiKeyCreate, ApiKeyUpdate);
    // The secret is shown once, in the creation answer.
    const created = paths['/api/v1/keys']!.post!.responses as Record<number, unknown>;
    created[201] = json(ApiKeyView.extend({ key: z.string().describe('the secret (`sk-oe-…`), shown only here') }), 'The new key with its secret.');
    delete created[409];
    delete (paths['/api/v1/keys/{id}']!.patch!.responses as Record<number, unknown>)[409];
    return paths;
  })(),
  '/api/v1/logs': {
    get: admin('logs', {
      summary: 'Request logs, newest first', requestParams: { query: LogQuery },
      responses: {
        200: json(z.looseObject({
          data: z.array(LogView),
          next: ms.nullable().describe('the `before` of the next page; null on the last'),
          nextId: z.string().nullable().describe('the `beforeId` of the next page; null on the last'),
        }), 'A page of logs.'),
        400: err('A bad query parameter.'), 429: err(`${MAX_OPEN_TAILS} tails are open on this gateway instance already (\`too_many_tails\`, Retry-After 5).`), ...adminErrors(),
      },
    }),
  },
  '/api/v1/logs.csv': {
    get: admin('logs', {
      summary: `The logs matching the filters as CSV (RFC 4180, no bodies), newest first, at most ${CSV_MAX_ROWS} rows`, requestParams: { query: LogFilterQuery },
      responses: {
        200: {
          description: 'A CSV attachment; header `x-oe-truncated: 1` when more rows matched than were written.',
          content: { 'text/csv': { schema: { type: 'string' as const } } },
        },
        400: err('A bad query parameter.'), ...adminErrors(),
      },
    }),
  },
  '/api/v1/logs/tail': {
    get: admin('logs', {
      summary: 'New request logs as they finish, as server-sent events (live tail)', requestParams: { query: LogFilterQuery },
      description: 'A `text/event-stream` that sends each new request log once as `event: log`, its data one row of `GET /api/v1/logs` (JSON), '
        + `within about ${TAIL_POLL_MS / 1000} s of the request finishing, whether or not the stats save has written it to the database yet `
        + '(such a row is priced as the save would price it). It polls the group holders and the database; the first poll also sends the records '
        + 'still unsaved when the tail opened. Same filters as `GET /api/v1/logs`. A comment line is sent every '
        + `${TAIL_HEARTBEAT_MS / 1000} s; the stream ends after ${TAIL_MAX_LIFE_MS / 60_000} min (an EventSource reconnects: dedupe by id).`,
      responses: {
        200: {
          description: 'An event stream of `log` events.',
          content: { 'text/event-stream': { schema: { type: 'string' as const } } },
        },
        400: err('A bad query parameter.'), ...adminErrors(),
      },
    }),
  },
  '/api/v1/logs/{id}': {
    get: admin('logs', {
      summary: 'One request log with its bodies', requestParams: { path: z.looseObject({ id: z.string() }) },
      responses: { 200: json(LogView.extend({ requestBody: z.string().nullable(), responseBody: z.string().nullable(), upstreamRequestBody: z.string().nullable().describe('The body sent to the last attempt\'s channel after conversion and overrides, when it differs from requestBody'), responseAssembled: AssembledStreamView.nullable() }), 'The log.'), 404: err('No such log.'), ...adminErrors() },
    }),
  },
  '/api/v1/stats': {
    get: admin('stats', {
      summary: 'Series over [from, to) by hour or UTC day, optionally broken down, optionally of one client key and/or group', requestParams: { query: SeriesQuery },
      responses: {
        200: json(z.looseObject({
          from: ms, to: ms, bucket: z.enum(['hour', 'day']), by: z.enum(['group', 'channel', 'model', 'key']).nullable(),
          keyId: z.number().int().nullable(), group: z.string().nullable(),
          data: z.array(z.looseObject({ bucket: ms, key: z.string(), ...counters })),
        }), 'The series.'),
        400: err('A bad query parameter, or `to` not after `from`.'), ...adminErrors(),
      },
    }),
  },
  '/api/v1/stats/summary': {
    get: admin('stats', {
      summary: 'Totals, hourly rows, requests apart from attempts and per-channel attempts over [from, to)', requestParams: { query: RangeQuery },
      responses: { 200: json(z.looseObject({ from: ms, to: ms, total: SummaryRow, hours: z.array(SummaryRow), breakdown: Breakdown, channels: z.array(ChannelSummary) }), 'Totals, the request/attempt breakdown, per channel attempts; a range without traffic gives zeros.'), 400: err('A bad query parameter, or `to` not after `from`.'), ...adminErrors() },
    }),
  },
  '/api/v1/prices': {
    get: admin('prices', {
      summary: 'Every model in use with its price and source (unknown first)',
      responses: {
        200: json(z.looseObject({
          data: z.array(z.looseObject({
            model: z.string(), channelType: z.enum(CHANNEL_TYPES), source: z.enum(['user', 'models.dev', 'unknown']), price: PriceView.nullable(),
            matchedId: z.string().optional(), provider: z.string().optional(), match: z.string().optional(),
          })),
          modelsDevModels: z.number().int(),
        }), 'The prices.'),
        ...adminErrors(),
      },
    }),
  },
  '/api/v1/prices/{model}': {
    put: admin('prices', {
      summary: 'Set a user price (USD per 1M tokens; cache prices default from input)', requestParams: modelPath, requestBody: body(UserPriceBody),
      responses: { 200: json(z.looseObject({ model: z.string(), source: z.literal('user'), price: PriceView }), 'The price set.'), ...adminErrors({ body: true }) },
    }),
    delete: admin('prices', { summary: 'Remove a user price', requestParams: modelPath, responses: { ...noContent, 400: err('A bad model name.'), 404: err('No user price for the model.'), ...adminErrors() } }),
  },
  '/api/v1/sync': {
    get: admin('sync', {
      summary: 'State of the price and model-list syncs',
      responses: { 200: json(z.looseObject({ data: z.array(z.looseObject({ key: z.string(), lastRunAt: ms, ok: z.boolean(), detail: z.unknown() })) }), 'Sync state.'), ...adminErrors() },
    }),
  },
  '/api/v1/sync/prices': {
    post: admin('sync', { summary: 'Run the models.dev price sync now', responses: { 200: json(z.looseObject({ models: z.number().int() }), 'Models synced.'), 502: err('models.dev failed (`sync_failed`).'), ...adminErrors() } }),
  },
  '/api/v1/settings': {
    get: admin('settings', { summary: 'Gateway-wide settings', responses: { 200: json(SettingsBody, 'The settings, defaults filled in.'), ...adminErrors() } }),
    put: admin('settings', { summary: 'Change settings (fields left out are kept)', requestBody: body(SettingsBody), responses: { 200: json(SettingsBody, 'The settings after the change.'), ...adminErrors({ body: true }) } }),
  },
  '/api/v1/backup': {
    get: admin('backup', { summary: 'Not an export: answers 405 pointing at POST /backup/export (a passphrase never goes in a URL)', responses: { 405: err('Use `POST /api/v1/backup/export` (`method_not_allowed`).'), ...adminErrors() } }),
  },
  '/api/v1/backup/export': {
    post: admin('backup', {
      summary: 'Export the whole configuration as one file, secrets sealed under the passphrase (PBKDF2-SHA256 + AES-256-GCM); client keys as hashes',
      requestBody: body(BackupExportBody),
      responses: {
        200: json(BackupFile.meta({ id: 'BackupFile' }), 'The backup file (`content-disposition: attachment`).'),
        409: err('A stored secret does not decrypt with this server\'s ENCRYPTION_KEY (`undecryptable_secret`).'),
        ...adminErrors({ body: true }),
      },
    }),
  },
  '/api/v1/backup/import': {
    post: admin('backup', {
      summary: 'Import a backup file (or an octopus export): merge or replace, checked in full, written in one transaction; `dryRun` writes nothing',
      requestBody: body(BackupImportBody),
      responses: {
        200: json(ImportReportView, 'What changed (or would change, on a dry run), per kind, and what could not be imported as it was.'),
        400: err('Invalid JSON or body (`invalid_json`, `invalid_request`), a file that cannot be imported (`invalid_backup`, naming every problem), or a wrong passphrase (`wrong_passphrase`). Nothing was changed.'),
        409: err('The configuration changed while importing (`conflict`), or a stored secret does not decrypt (`undecryptable_secret`). Nothing was changed.'),
        ...adminErrors({ body: true }),
      },
    }),
  },
  '/api/v1/me': {
    get: {
      tags: ['usage'], security: [{ bearer: [] }, { xApiKey: [] }],
      summary: 'A client key\'s own usage, budget, limits and recent requests (authenticated by the client key, not the admin session)',
      description: 'For key holders (the dashboard page `/my`). The key goes in `Authorization: Bearer sk-oe-…` or `x-api-key`; the admin cookie is never read. '
        + 'Only the key\'s own rows; requests carry no bodies, channels or error texts. Usage appears when the stats are saved (every minute by default). '
        + `Hourly buckets span at most ${ME_MAX_HOURLY_SPAN_MS / 86_400_000} days, any range at most ${ME_MAX_SPAN_MS / 86_400_000} days. No CORS: only the gateway's own pages (and non-browser clients) read it.`,
      requestParams: { query: MeQuery },
      responses: {
        200: json(MeView, 'The key\'s page.'),
        400: err('A bad query parameter, `range` with `from`/`to`, `to` not after `from`, or a span too long (`invalid_request`).'),
        401: err('No key (`missing_api_key`), or not a key of this gateway (`invalid_api_key`; a deleted key too).'),
        403: json(z.looseObject({
          error: z.looseObject({ code: z.enum(['key_disabled', 'key_expired']), message: z.string() }),
          key: z.looseObject({ name: z.string(), state: z.enum(['disabled', 'expired']), expiresAt: ms.nullable() }),
        }), 'The key is disabled or expired: its state, in plain words.'),
        503: DB_DOWN,
      },
    },
  },
  '/api/v1/openapi.json': {
    get: { tags: ['meta'], summary: 'This document', security: [], responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } } },
  },
};

// ---- relay ---------------------------------------------------------------------------------

const relaySecurity: Record<string, string[]>[] = [{ bearer: [] }, { xApiKey: [] }, { googApiKey: [] }, { keyQuery: [] }];
const loose = (ref: string) => z.record(z.string(), z.unknown()).describe(`Loosely typed here: the relay validates with its protocol codecs. See ${ref}.`);
const OPENAI = 'https://platform.openai.com/docs/api-reference';
const ANTHROPIC = 'https://docs.anthropic.com/en/api';
const GEMINI = 'https://ai.google.dev/api';

/** A relay error, in the client protocol's own error shape (OpenAI, Anthropic or Gemini). */
const RelayError = z.record(z.string(), z.unknown()).meta({ id: 'RelayError', description: 'The error shape of the client\'s protocol (`{"error":{…}}` for OpenAI and Gemini, `{"type":"error","error":{…}}` for Anthropic).' });
const relayErr = (id: string, description: string) => ({ id, ...json(RelayError, description) });
const RELAY_ERRORS: ZodOpenApiResponsesObject = {
  400: relayErr('RelayInvalidRequest', 'Not a valid request for the protocol.'),
  401: relayErr('RelayUnauthorized', 'No valid client key.'),
  404: relayErr('RelayNotFound', 'A model the key may not use, or an unknown model name.'),
  429: relayErr('RelayLimited', 'A client key limit (rpm, tpm, budget) was reached; `retry-after` says when to retry.'),
  502: relayErr('RelayUpstreamFailed', 'Every upstream attempt failed.'),
  503: relayErr('RelayUnavailable', 'The database is unreachable, or no member is available.'),
};

function relayOp(tag: string, summary: string, ref: string, opts: { stream?: boolean; query?: z.ZodObject; path?: z.ZodObject; requestBody?: boolean } = {}): ZodOpenApiOperationObject {
  const ok = opts.stream
    ? { description: 'The answer: JSON, or a stream (`text/event-stream`) when the request asks for one.', content: { 'application/json': { schema: loose(ref) }, 'text/event-stream': { schema: { type: 'string' as const } } } }
    : json(loose(ref), 'The answer.');
  return {
    tags: [tag], summary, security: relaySecurity,
    ...((opts.query || opts.path) && { requestParams: { ...(opts.query && { query: opts.query }), ...(opts.path && { path: opts.path }) } }),
    ...(opts.requestBody !== false && { requestBody: { required: true, content: { 'application/json': { schema: loose(ref) } } } }),
    responses: { 200: ok, ...RELAY_ERRORS },
  };
}

const betaQuery = z.looseObject({ beta: z.enum(['true']).optional().describe('accepted and ignored, as Claude Code sends it') });
const geminiModel = z.looseObject({ model: z.string().describe('group name, alias or pattern-caught name') });

function geminiPaths(prefix: '/v1beta' | '/v1'): ZodOpenApiPathsObject {
  // `?key=` is the keyQuery security scheme, not a parameter of its own.
  const op = (summary: string, ref: string, stream = false, query?: z.ZodObject) => ({ post: relayOp('gemini', summary, ref, { stream, path: geminiModel, ...(query && { query }) }) });
  return {
    [`${prefix}/models/{model}:generateContent`]: op('Gemini generateContent', `${GEMINI}/generate-content`),
    [`${prefix}/models/{model}:streamGenerateContent`]: op('Gemini streamGenerateContent (SSE with `alt=sse`, else a JSON array)', `${GEMINI}/generate-content`, true,
      z.looseObject({ alt: z.enum(['sse']).optional().describe('SSE; without it the answer is one JSON array') })),
    [`${prefix}/models/{model}:countTokens`]: op('Gemini countTokens (never billed)', `${GEMINI}/tokens`),
    [`${prefix}/models/{model}:embedContent`]: op('Gemini embedContent', `${GEMINI}/embeddings`),
    [`${prefix}/models/{model}:batchEmbedContents`]: op('Gemini batchEmbedContents', `${GEMINI}/embeddings`),
  };
}

const relayPaths: ZodOpenApiPathsObject = {
  '/v1/chat/completions': { post: relayOp('openai', 'OpenAI Chat Completions', `${OPENAI}/chat`, { stream: true }) },
  '/v1/responses': { post: relayOp('openai', 'OpenAI Responses', `${OPENAI}/responses`, { stream: true }) },
  '/v1/embeddings': { post: relayOp('openai', 'OpenAI Embeddings', `${OPENAI}/embeddings`) },
  '/v1/messages': { post: relayOp('anthropic', 'Anthropic Messages; `anthropic-beta` is forwarded to Anthropic channels', `${ANTHROPIC}/messages`, { stream: true, query: betaQuery }) },
  '/v1/messages/count_tokens': { post: relayOp('anthropic', 'Anthropic token count (never billed)', `${ANTHROPIC}/messages-count-tokens`, { query: betaQuery }) },
  ...geminiPaths('/v1beta'),
  ...geminiPaths('/v1'),
  '/v1/models': {
    get: relayOp('models', 'The group names and aliases the key may call: OpenAI shape; Anthropic shape with `anthropic-version`; Gemini shape with a Gemini key',
      `${OPENAI}/models`, { requestBody: false }),
  },
  '/v1/models/{model}': { get: relayOp('models', 'One model (OpenAI shape with a Bearer key, else Gemini shape)', `${OPENAI}/models`, { requestBody: false, path: geminiModel }) },
  '/v1beta/models': { get: relayOp('models', 'Gemini model list', `${GEMINI}/models`, { requestBody: false }) },
  '/v1beta/models/{model}': { get: relayOp('models', 'One Gemini model', `${GEMINI}/models`, { requestBody: false, path: geminiModel }) },
  '/v1/usage': {
    get: relayOp('usage', 'The client key\'s own usage (today, this month, all time, UTC) and its limits', 'the README "Endpoints" section', { requestBody: false }),
  },
  '/healthz': { get: { tags: ['meta'], summary: 'Liveness', security: [], responses: { 200: json(z.looseObject({ ok: z.literal(true) }), 'Alive.') } } },
};

/**
 * Builds the document (a plain JSON-serialisable object, OpenAPI 3.1.0). Pure: same schemas in,
 * same document out, so the committed file can be compared with it.
 */
export function buildOpenApiDocument(): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'octopus-edge',
      version: '1',
      description: 'LLM API gateway. Admin API under `/api/v1` (session cookie from `POST /api/v1/auth/login`; '
        + 'state-changing requests must come from the gateway\'s own origin) and the client-facing relay endpoints of the '
        + 'OpenAI, Anthropic and Gemini protocols (client key `sk-oe-…`).',
    },
    tags: ['auth', 'channels', 'groups', 'keys', 'logs', 'stats', 'prices', 'sync', 'settings', 'backup', 'meta', 'openai', 'anthropic', 'gemini', 'models', 'usage']
      .map((name) => ({ name })),
    paths: { ...adminPaths, ...relayPaths },
    components: {
      securitySchemes: {
        adminSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by `POST /api/v1/auth/login`.' },
        bearer: { type: 'http', scheme: 'bearer', description: 'Client key as `Authorization: Bearer sk-oe-…` (OpenAI clients).' },
        xApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Client key (Anthropic clients).' },
        googApiKey: { type: 'apiKey', in: 'header', name: 'x-goog-api-key', description: 'Client key (Gemini clients).' },
        keyQuery: { type: 'apiKey', in: 'query', name: 'key', description: 'Client key as `?key=` (Gemini clients).' },
      },
    },
  });
}

// ---- the response schemas above must accept what the views return (checked by tsc) ----------

/** The named keys of T (a loose object's schema type carries an index signature an interface lacks). */
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Accepts<Schema extends z.ZodType, T extends Known<z.output<Schema>>> = T;
export type ViewChecks = [
  Accepts<typeof ChannelView, ReturnType<typeof channelView>>,
  Accepts<typeof GroupView, ReturnType<typeof groupView>>,
  Accepts<typeof ApiKeyView, ReturnType<typeof apiKeyView>>,
  Accepts<typeof MemberHealthView, MemberHealthViewType>,
  Accepts<typeof CatchView, PatternCatch>,
  Accepts<typeof GroupHealthEntryView, GroupHealthEntry>,
  Accepts<typeof ChannelHealthEntryView, ChannelHealthEntry>,
  Accepts<typeof ChannelTestResultView, ChannelTestResult>,
  Accepts<typeof DraftModelsView, DraftModelsResult>,
  Accepts<typeof HealthCheckView, HealthCheckConfig>,
  Accepts<typeof HealthStateView, ChannelHealthState>,
  Accepts<typeof HealthCheckResultView, ReturnType<typeof checkView>>,
  Accepts<typeof ImportReportView, ImportReport>,
  Accepts<typeof MeRecent, ReturnType<typeof recentView>>,
];

/** Where the built document is committed, relative to the repository root. */
export const OPENAPI_FILE = 'worker/src/admin/openapi.json';
