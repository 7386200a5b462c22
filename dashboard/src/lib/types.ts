/** Shapes the admin API returns (see worker/src/admin/*.ts). Domain types come from the gateway. */
import type { ChannelHealthState, ChannelOverrides, ChannelType, Group, GroupMember, GroupMode, GroupSettings, HealthCheckConfig } from '$gateway/db/types';
import type { AttemptLog } from '$gateway/accounting/records';
import type { MemberHealth } from '$gateway/routing/types';
import type { PatternCatch } from '$gateway/routing/catches';
import type { ChannelHealthEntry, GroupHealthEntry, HealthAnswer, MemberHealthView, RecentTraffic } from '$gateway/admin/health-view';

export type { ChannelHealthEntry, GroupHealthEntry, HealthAnswer, MemberHealthView, RecentTraffic };
export type { ChannelHealthState, ChannelOverrides, ChannelType, Group, GroupMember, GroupMode, GroupSettings, HealthCheckConfig, AttemptLog, MemberHealth, PatternCatch };
export type { SettingsView as Settings } from '$gateway/settings';
/** `breakdown` and `channels` of `GET /stats/summary`: requests apart from upstream attempts. */
export type { Breakdown, ChannelSummary } from '$gateway/admin/summary';

export interface ChannelKeyView {
  id: string;
  hint: string;
  enabled: boolean;
}

export interface ChannelView {
  id: number;
  name: string;
  type: ChannelType;
  baseUrl: string;
  keys: ChannelKeyView[];
  models: string[];
  headers: Record<string, string>;
  modelFilter: string | null;
  /** Request overrides, credential header values as their hint; null = none. */
  overrides: ChannelOverrides | null;
  /** Outbound proxy URL (Node mode), the password as its hint; null = the global one, or none. */
  proxy: string | null;
  /** The scheduled health check; null = none. */
  healthCheck: HealthCheckConfig | null;
  /** Other protocols of the same account (issue 14.5), each with its base URL; null = none. */
  endpoints: { type: ChannelType; baseUrl: string }[] | null;
  /** What the checks found; null = never checked (or the check was turned off). */
  healthState: ChannelHealthState | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One health check result (GET /channels/health-checks): the key by its position, never the key. */
export interface HealthCheckResult {
  at: number;
  ok: boolean;
  latencyMs: number;
  status: number;
  model: string;
  /** 0-based position in the channel's keys; null when that key was removed. */
  keyIndex: number | null;
  error: string | null;
}

export interface ApiKeyView {
  id: number;
  name: string;
  keyPrefix: string;
  expiresAt: number | null;
  allowedGroups: string[] | null;
  budgetUsd: number | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  enabled: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface Usage {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

export interface LogView {
  id: string;
  time: number;
  apiKeyId: number;
  groupName: string;
  channelId: number;
  upstreamModel: string;
  protocolIn: string;
  protocolOut: string | null;
  stream: boolean;
  status: number;
  ok: boolean;
  attempts: AttemptLog[];
  usage: Usage | null;
  costNanoUsd: number;
  costUsd: number;
  latencyMs: number;
  ttftMs: number | null;
  error: string | null;
  /** List items: whether the detail has a logged body. */
  hasBodies?: boolean;
  /** Detail only: the logged bodies (may end in "…[truncated N bytes]"), null when not logged. */
  requestBody?: string | null;
  responseBody?: string | null;
  /** Detail only: the body sent upstream after conversion, when it differs from requestBody. */
  upstreamRequestBody?: string | null;
  /** Detail only: a streamed answer read back from its logged events; null otherwise. */
  responseAssembled?: AssembledStream | null;
}

/** A logged stream, assembled by the gateway (worker/src/admin/assembled-stream.ts). */
export interface AssembledStream {
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string | null;
  error: string | null;
  /** No finish in the body: cut by the log size, the client or the upstream. */
  incomplete: boolean;
}

export interface Counters {
  requests: number;
  successes: number;
  failures: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costNanoUsd: number;
  costUsd: number;
  latencyMsTotal: number;
  ttftMsTotal: number;
  /** Upstream calls, and how many failed (worker/src/accounting/records.ts StatsCounters). */
  attempts: number;
  failedAttempts: number;
  /** Failed requests refused with a 4xx before any upstream call. */
  clientErrors: number;
  /** Every other failed request. */
  upstreamErrors: number;
  /** Requests that succeeded after a failed attempt. */
  rescues: number;
  /** What rows from before these counters existed hold (counted in requests/successes/failures only). */
  untrackedRequests: number;
  untrackedSuccesses: number;
  untrackedFailures: number;
}

export interface SummaryRow extends Counters {
  hour: number;
  successRate: number | null;
}

export interface SeriesRow extends Counters {
  bucket: number;
  key: string;
}

export interface PriceView {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface PriceRow {
  model: string;
  channelType: ChannelType;
  source: 'user' | 'models.dev' | 'unknown';
  price: PriceView | null;
  matchedId?: string;
  provider?: string;
  match?: string;
}

export interface SyncState {
  key: string;
  lastRunAt: number;
  ok: boolean;
  detail: unknown;
}

export interface ChannelTestResult {
  ok: boolean;
  status: number;
  latencyMs: number;
  model: string;
  error?: string;
}
