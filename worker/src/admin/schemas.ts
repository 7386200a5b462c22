/**
 * Request bodies of the admin API (`/api/v1/*`). Exported for the dashboard, which validates its
 * forms with the same schemas. Field names are camelCase; times are ms since epoch; money in USD.
 */
import * as z from 'zod';
import { CHANNEL_TYPES, GROUP_MODES, type ChannelOverrides, type HealthCheckConfig } from '../db/types';
import { HEALTH_CHECK_LIMITS } from '../routing/check-state';
import { overridesIssue } from '../lib/overrides';
import { MAX_PATTERNS, patternProblem } from './patterns';

const name = z.string().trim().min(1, 'must not be empty').max(100);

/** A name clients send as `model`: no whitespace, and none of `:` `?` `#` (they would break Gemini paths). */
export const GroupName = z.string().trim().min(1, 'must not be empty').max(200)
  .regex(/^[^\s:?#]+$/, 'must not contain spaces or any of : ? #');

/** An http(s) URL without credentials (a channel's base URL). */
export const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), 'must not carry credentials: put them in keys or headers');

/** A regular expression source that compiles. */
export const RegexSource = z.string().max(500).refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/**
 * A channel key in a create/update body: a plain string is a new key; `{ id }` keeps a stored key
 * (optionally toggling `enabled`); `{ key }` adds a new one.
 */
export const ChannelKeyInput = z.union([
  z.string().trim().min(1).max(4096),
  z.strictObject({ id: z.string().min(1).max(64), enabled: z.boolean().optional() }),
  z.strictObject({ key: z.string().trim().min(1).max(4096), enabled: z.boolean().optional() }),
]);
export type ChannelKeyInput = z.infer<typeof ChannelKeyInput>;

/**
 * Request overrides of a channel or member (db/types.ts ChannelOverrides; lib/overrides.ts says
 * what is refused and why), or null for none. An issue's path names the part (`overrides.body.stream`).
 */
export const OverridesInput = z.unknown().superRefine((v, ctx) => {
  const issue = overridesIssue(v);
  if (issue !== null) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
}).transform((v) => v as ChannelOverrides | null);

/**
 * A channel's scheduled health check (routing/check-state.ts, sync/health-checks.ts), or null for
 * none. Omitted fields take their defaults: every 5 minutes, the channel's first model, down after
 * 3 consecutive failures.
 */
export const HealthCheckInput = z.strictObject({
  enabled: z.boolean(),
  intervalMinutes: z.int().min(HEALTH_CHECK_LIMITS.intervalMinutes.min).max(HEALTH_CHECK_LIMITS.intervalMinutes.max).optional(),
  /** Upstream model to ask; null or absent = the channel's first model. */
  model: z.string().trim().min(1).max(200).nullable().optional(),
  failureThreshold: z.int().min(HEALTH_CHECK_LIMITS.failureThreshold.min).max(HEALTH_CHECK_LIMITS.failureThreshold.max).optional(),
}).transform((v): HealthCheckConfig => ({
  enabled: v.enabled,
  intervalMinutes: v.intervalMinutes ?? HEALTH_CHECK_LIMITS.intervalMinutes.default,
  model: v.model ?? null,
  failureThreshold: v.failureThreshold ?? HEALTH_CHECK_LIMITS.failureThreshold.default,
})).nullable();

/** A health check with every field present, as stored (db/types.ts HealthCheckConfig): the backup file's form. */
export const HealthCheckStored = z.strictObject({
  enabled: z.boolean(),
  intervalMinutes: z.int().min(HEALTH_CHECK_LIMITS.intervalMinutes.min).max(HEALTH_CHECK_LIMITS.intervalMinutes.max),
  model: z.string().trim().min(1).max(200).nullable(),
  failureThreshold: z.int().min(HEALTH_CHECK_LIMITS.failureThreshold.min).max(HEALTH_CHECK_LIMITS.failureThreshold.max),
});

/** A channel's custom headers: names stored lower-case (so a custom header reliably replaces the gateway's own, e.g. authorization). */
export const ChannelHeaders = z.record(
  z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/, 'must be a header name').transform((n) => n.toLowerCase()),
  z.string().max(4096).regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL'),
).refine((h) => Object.keys(h).length <= 50, 'at most 50 headers');

/**
 * A channel's extra endpoints (issue 14.5): other protocols of the same account, each with its own
 * base URL (same rules as the primary's); types unique. That none repeats the primary type is
 * checked by the route (a PATCH may change either side): `endpointsProblem`.
 */
export const ChannelEndpointsInput = z.array(z.strictObject({ type: z.enum(CHANNEL_TYPES), baseUrl: HttpUrl }))
  .max(CHANNEL_TYPES.length - 1)
  .refine((list) => new Set(list.map((e) => e.type)).size === list.length, 'endpoint types must be unique')
  .nullable();

/** Why a primary type and extra endpoints do not fit together, or null when they do. */
export function endpointsProblem(type: string, endpoints: { type: string }[] | null | undefined): string | null {
  const i = endpoints?.findIndex((e) => e.type === type) ?? -1;
  return i >= 0 ? `endpoints.${i}.type: ${type} is already the channel's primary type` : null;
}

const channelFields = {
  name,
  type: z.enum(CHANNEL_TYPES),
  baseUrl: HttpUrl,
  keys: z.array(ChannelKeyInput).min(1, 'needs at least one key').max(200),
  models: z.array(z.string().trim().min(1).max(200)).max(2000),
  headers: ChannelHeaders,
  modelFilter: RegexSource.nullable(),
  overrides: OverridesInput,
  /** The channel's outbound proxy URL (Node mode only, lib/proxy.ts); null or '' for none (the global one applies). */
  proxy: z.string().max(2048).nullable(),
  healthCheck: HealthCheckInput,
  endpoints: ChannelEndpointsInput,
  enabled: z.boolean(),
};

export const ChannelCreate = z.strictObject({
  ...channelFields,
  models: channelFields.models.optional(),
  headers: channelFields.headers.optional(),
  modelFilter: channelFields.modelFilter.optional(),
  overrides: channelFields.overrides.optional(),
  proxy: channelFields.proxy.optional(),
  healthCheck: channelFields.healthCheck.optional(),
  endpoints: channelFields.endpoints.optional(),
  enabled: channelFields.enabled.optional(),
});
export type ChannelCreate = z.infer<typeof ChannelCreate>;

export const ChannelUpdate = z.strictObject(channelFields).partial();
export type ChannelUpdate = z.infer<typeof ChannelUpdate>;

/**
 * An unsaved channel to test or list models of (`POST /channels/test`, `POST /channels/models`):
 * the fields of a channel that decide how its upstream is reached. With `channelId` it is that
 * stored channel as this body would change it: fields left out keep the stored values, `keys`
 * left out or empty keep the stored keys (never shown again), `{ id }` names a stored key, and
 * credential hints sent back unchanged keep the stored secrets, as on PATCH. Without `channelId`
 * left-out fields are empty and a key is needed.
 */
const channelDraftFields = {
  channelId: z.int().positive().optional(),
  type: channelFields.type,
  baseUrl: channelFields.baseUrl,
  keys: z.array(ChannelKeyInput).max(200).optional(),
  headers: channelFields.headers.optional(),
  modelFilter: channelFields.modelFilter.optional(),
  overrides: channelFields.overrides.optional(),
  proxy: channelFields.proxy.optional(),
};
export const ChannelDraft = z.strictObject(channelDraftFields);
export type ChannelDraft = z.infer<typeof ChannelDraft>;

/** {@link ChannelDraft} plus the upstream model to send the test request for. */
export const ChannelDraftTest = z.strictObject({ ...channelDraftFields, model: z.string().trim().min(1).max(200) });
export type ChannelDraftTest = z.infer<typeof ChannelDraftTest>;

export const GroupMemberInput = z.strictObject({
  channelId: z.int().positive(),
  upstreamModel: z.string().trim().min(1),
  priority: z.int().min(-1000).max(1000).optional(),
  weight: z.int().min(1).max(1000).optional(),
  overrides: OverridesInput.optional(),
  /** Pin the member to one endpoint type of its channel (issue 14.5); null or absent = the client's protocol when the channel has it. */
  protocol: z.enum(CHANNEL_TYPES).nullable().optional(),
  enabled: z.boolean().optional(),
});
export type GroupMemberInput = z.infer<typeof GroupMemberInput>;

const ms = (min: number, max: number) => z.int().min(min).max(max).optional();

/** Routing settings of a group (all optional; defaults in routing/settings.ts). Durations in ms. */
export const GroupSettingsInput = z.strictObject({
  firstByteTimeoutMs: ms(1_000, 3_600_000),
  idleTimeoutMs: ms(1_000, 3_600_000),
  maxAttempts: z.int().min(1).max(20).optional(),
  deadlineMs: ms(1_000, 7_200_000),
  breakerThreshold: z.int().min(1).max(100).optional(),
  breakerBaseMs: ms(100, 3_600_000),
  breakerCapMs: ms(100, 86_400_000),
  stickyTtlMs: ms(0, 86_400_000),
  /** Largest SSE event of an upstream stream, characters (4 Ki to 256 Mi). */
  maxEventChars: z.int().min(4096).max(256 * 1024 * 1024).optional(),
  /** Largest upstream reply after decompression, bytes (4 KiB to 1 GiB). */
  maxInflatedBytes: z.int().min(4096).max(1024 * 1024 * 1024).optional(),
});

/** Most aliases one group may have. */
export const MAX_ALIASES = 50;

/** True when no string appears twice. */
const distinct = (list: string[]) => new Set(list).size === list.length;

/** Extra exact names of a group (each one a valid group name; uniqueness across groups is checked on save). */
export const GroupAliases = z.array(GroupName).max(MAX_ALIASES, `at most ${MAX_ALIASES} aliases`).refine(distinct, 'lists the same alias twice');

/** A group's model-name patterns, checked for syntax and matching cost (admin/patterns.ts). */
export const GroupPatterns = z.array(z.string().superRefine((s, ctx) => {
  const problem = patternProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
})).max(MAX_PATTERNS, `at most ${MAX_PATTERNS} patterns`).refine(distinct, 'lists the same pattern twice');

const groupFields = {
  name: GroupName,
  aliases: GroupAliases,
  patterns: GroupPatterns,
  mode: z.enum(GROUP_MODES),
  enabled: z.boolean(),
  settings: GroupSettingsInput,
  members: z.array(GroupMemberInput).max(200),
};

export const GroupCreate = z.strictObject({
  ...groupFields,
  mode: groupFields.mode.optional(),
  enabled: groupFields.enabled.optional(),
  settings: groupFields.settings.optional(),
  aliases: groupFields.aliases.optional(),
  patterns: groupFields.patterns.optional(),
  members: groupFields.members.optional(),
});
export type GroupCreate = z.infer<typeof GroupCreate>;

export const GroupUpdate = z.strictObject(groupFields).partial();
export type GroupUpdate = z.infer<typeof GroupUpdate>;

const apiKeyFields = {
  name,
  /** ms since epoch, or null for never. */
  expiresAt: z.int().positive().nullable(),
  /** Group names, or null for every group. */
  allowedGroups: z.array(GroupName).max(500).nullable(),
  /** Spending budget over the key's life, USD (stored as nano-USD; at most 1e6 so it stays an exact integer), or null. */
  budgetUsd: z.number().nonnegative().max(1e6).nullable(),
  /** Requests per minute, or null. */
  rpmLimit: z.int().positive().max(1_000_000).nullable(),
  /** Tokens per minute (input + output of finished requests), or null. */
  tpmLimit: z.int().positive().max(10_000_000_000).nullable(),
  enabled: z.boolean(),
};

export const ApiKeyCreate = z.strictObject({
  name,
  expiresAt: apiKeyFields.expiresAt.optional(),
  allowedGroups: apiKeyFields.allowedGroups.optional(),
  budgetUsd: apiKeyFields.budgetUsd.optional(),
  rpmLimit: apiKeyFields.rpmLimit.optional(),
  tpmLimit: apiKeyFields.tpmLimit.optional(),
  enabled: apiKeyFields.enabled.optional(),
});
export type ApiKeyCreate = z.infer<typeof ApiKeyCreate>;

export const ApiKeyUpdate = z.strictObject(apiKeyFields).partial();
export type ApiKeyUpdate = z.infer<typeof ApiKeyUpdate>;

export const LoginBody = z.strictObject({ password: z.string().min(1).max(1000) });
export const PasswordChangeBody = z.strictObject({
  currentPassword: z.string().min(1).max(1000),
  newPassword: z.string().min(12, 'must be at least 12 characters').max(1000),
});

/** A user price (`PUT /api/v1/prices/:model`), USD per 1M tokens; cache prices default from input. */
const usdPerMillion = z.number().nonnegative().max(1_000_000);
export const UserPriceBody = z.strictObject({ input: usdPerMillion, output: usdPerMillion, cacheRead: usdPerMillion.optional(), cacheWrite: usdPerMillion.optional() });
