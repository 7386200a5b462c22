/**
 * Domain records as the app sees them (JSON columns parsed, booleans as booleans).
 * Times are ms since the Unix epoch; money is integer nano-USD.
 */
import type { StoredProxy } from '../lib/proxy';

/** Wire protocol an upstream channel speaks. */
export const CHANNEL_TYPES = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Balancing modes of a group. */
export const GROUP_MODES = ['round-robin', 'random', 'failover', 'weighted'] as const;
export type GroupMode = (typeof GROUP_MODES)[number];

/** One upstream key of a channel, as stored: `enc` is KeyVault ciphertext, `hint` its last 4 characters. */
export interface StoredChannelKey {
  id: string;
  enc: string;
  hint: string;
  enabled: boolean;
}

/** One more protocol a channel's account serves: its type and base URL (without the endpoint path). */
export interface ChannelEndpoint {
  type: ChannelType;
  baseUrl: string;
}

export interface Channel {
  id: number;
  name: string;
  type: ChannelType;
  /** Base URL without the endpoint path, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  keys: StoredChannelKey[];
  models: string[];
  headers: Record<string, string>;
  modelFilter: string | null;
  /** Request overrides for every upstream call to this channel; null (or absent) = none. */
  overrides?: ChannelOverrides | null;
  /** The channel's outbound proxy (Node mode, lib/proxy.ts), credentials sealed; null (or absent) = the global one, or none. */
  proxy?: StoredProxy | null;
  /**
   * Other protocols the same account serves (issue 14.5), each with its own base URL; keys, headers,
   * overrides and proxy are shared with the primary (`type` + `baseUrl`). Types are unique and differ
   * from `type`. null (or absent) = none. routing/endpoints.ts picks one per attempt.
   */
  endpoints?: ChannelEndpoint[] | null;
  /** The channel's scheduled health check (sync/health-checks.ts); null (or absent) = none. */
  healthCheck?: HealthCheckConfig | null;
  /**
   * What the health checks found so far; null (or absent) = never checked. Written only by the
   * checks (Store.recordChannelCheck), never by a channel create or update.
   */
  healthState?: ChannelHealthState | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A channel's scheduled health check settings (issue 14.6). */
export interface HealthCheckConfig {
  enabled: boolean;
  /** Minutes between two checks, 1..1440. */
  intervalMinutes: number;
  /** Upstream model the check asks; null = the channel's first model. */
  model: string | null;
  /** Consecutive failed checks that take the channel's members out of routing, 1..100. */
  failureThreshold: number;
}

/** The running state of a channel's health checks. */
export interface ChannelHealthState {
  /** Consecutive failed checks (0 after a pass). */
  failures: number;
  /** True from the `failureThreshold`-th consecutive failure until a check passes: members are skipped. */
  down: boolean;
  /** ms when the channel went down; null while up. */
  downSince: number | null;
  /** ms when the last check started. */
  lastAt: number;
  lastOk: boolean;
  /** Round-robin position over the channel's enabled keys for the next check. */
  keyCursor: number;
}

/** One recorded health check result. Nothing secret: the key is named by its stored id. */
export interface ChannelCheckResult {
  channelId: number;
  /** ms when the check started. */
  at: number;
  ok: boolean;
  /** Wall time of the check, ms. */
  latencyMs: number;
  /** Upstream HTTP status; 0 when no response came. */
  status: number;
  model: string;
  /** Id of the channel key used (StoredChannelKey.id). */
  keyId: string;
  /** Short plain-words error, redacted of secrets; null when ok. */
  error: string | null;
}

/**
 * Per-channel (or per-member) request overrides (lib/overrides.ts applies and validates them).
 * - `body`: a JSON merge patch (RFC 7396) applied to the encoded upstream body of a generation
 *   request: `null` deletes a member, objects merge recursively, anything else (arrays included)
 *   replaces. Never `model`, `stream` or `stream_options` at the top level.
 * - `headers`: lower-case header name → value to set, or null to remove the header. A value under
 *   a credential-like name (lib/channel-headers.ts) is stored sealed, like a channel header.
 */
export interface ChannelOverrides {
  body?: Record<string, unknown>;
  headers?: Record<string, string | null>;
}

export interface GroupMember {
  id: number;
  groupId: number;
  channelId: number;
  upstreamModel: string;
  priority: number;
  weight: number;
  /** Request overrides for this member only, applied after its channel's; null (or absent) = none. */
  overrides?: ChannelOverrides | null;
  /**
   * The channel endpoint type this member always uses (issue 14.5), even when another endpoint of
   * the channel speaks the client's protocol; null (or absent) = pick by the client's protocol.
   */
  protocol?: ChannelType | null;
  enabled: boolean;
}

/**
 * Per-group routing settings; every field optional, defaults in routing/settings.ts.
 * Durations in ms.
 */
export interface GroupSettings {
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxAttempts?: number;
  deadlineMs?: number;
  breakerThreshold?: number;
  breakerBaseMs?: number;
  breakerCapMs?: number;
  stickyTtlMs?: number;
  /** Largest SSE event of an upstream stream, characters. */
  maxEventChars?: number;
  /** Largest upstream reply after content decoding (inflation), bytes. */
  maxInflatedBytes?: number;
}

export interface Group {
  id: number;
  name: string;
  mode: GroupMode;
  settings: GroupSettings;
  /** Extra exact names the group answers to (config/resolve.ts); [] when none. */
  aliases: string[];
  /** Regular expression sources over requested names, tried after every exact name and alias; [] when none. */
  patterns: string[];
  enabled: boolean;
  members: GroupMember[];
  createdAt: number;
  updatedAt: number;
}

export interface ApiKey {
  id: number;
  name: string;
  keyHash: string;
  keyPrefix: string;
  expiresAt: number | null;
  /** Group names this key may use; null = every group. */
  allowedGroups: string[] | null;
  budgetNanoUsd: number | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  enabled: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export type NewChannel = Omit<Channel, 'id' | 'createdAt' | 'updatedAt' | 'healthState'>;
/** `healthState` in a patch: only to clear it (null) when the admin turns the check off. */
export type ChannelPatch = Partial<NewChannel> & { healthState?: null };
export type NewGroupMember = Omit<GroupMember, 'id' | 'groupId'>;
export type NewGroup = Omit<Group, 'id' | 'createdAt' | 'updatedAt' | 'members' | 'aliases' | 'patterns'> & {
  members: NewGroupMember[];
  /** Default []. */
  aliases?: string[];
  /** Default []. */
  patterns?: string[];
};
export type GroupPatch = Partial<NewGroup>;
export type NewApiKey = Omit<ApiKey, 'id' | 'createdAt' | 'lastUsedAt'>;
export type ApiKeyPatch = Partial<Omit<NewApiKey, 'keyHash' | 'keyPrefix'>>;

/** Everything the relay needs to route one request to a group. */
export interface Route {
  group: Group;
  /** Channels referenced by the group's members, by id. */
  channels: Map<number, Channel>;
}

/**
 * A whole configuration change applied at once (a backup import, backup/import.ts): rows carry
 * their final ids (members refer to final channel ids); secrets are already sealed as stored.
 */
export interface ConfigWrite {
  channels: { insert: (NewChannel & { id: number })[]; update: (NewChannel & { id: number })[]; delete: number[] };
  /** A written group's member list replaces the stored one. */
  groups: { insert: (NewGroup & { id: number })[]; update: (NewGroup & { id: number })[]; delete: number[] };
  apiKeys: { insert: (NewApiKey & { id: number; createdAt: number; lastUsedAt: number | null })[]; update: (NewApiKey & { id: number })[]; delete: number[] };
  /** User prices, nano-USD per 1M tokens. */
  prices: { put: { model: string; input: number; output: number; cacheRead: number; cacheWrite: number }[]; delete: string[] };
  /** The stored value of the `gateway` settings row, or undefined to leave it. */
  settings?: unknown;
}
