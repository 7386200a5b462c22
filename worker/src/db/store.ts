/**
 * The data-access seam. The edge implements it over D1, Node over better-sqlite3, MySQL or
 * PostgreSQL. Methods return domain records (db/types.ts); `null`/`false` mean "no such row".
 */
import type { Price } from '../accounting/cost';
import type { ModelsDevPrice } from '../accounting/modelsdev';
import type { RequestRecord, StatsCounters, StatsDelta } from '../accounting/records';
import type {
  ApiKey, ApiKeyPatch, Channel, ChannelCheckResult, ChannelHealthState, ChannelPatch, ConfigWrite, Group, GroupPatch, NewApiKey, NewChannel, NewGroup, Route,
} from './types';

/** Thrown when a write breaks a uniqueness rule (e.g. two channels with one name). */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/** A request log as listed: the record without its bodies, and whether it has any. */
export type ListedLog = RequestRecord & { hasBodies: boolean };

/** Rows `Store.statsSeries` keeps: one client key's and/or one group's (both: rows matching both). */
export interface SeriesFilter {
  apiKeyId?: number;
  groupName?: string;
}

export interface Store {
  /**
   * Counts configuration writes made through this store object (channels, groups and members,
   * client keys, gateway settings). The relay's snapshot (config/snapshot.ts) reloads when it moves.
   */
  readonly configEpoch: number;
  /**
   * The stored configuration version: changes with every configuration write, whichever instance
   * made it. Compared by the relay's background check to see changes made elsewhere.
   */
  configVersion(): Promise<string>;

  listChannels(): Promise<Channel[]>;
  getChannel(id: number): Promise<Channel | null>;
  /** @throws StoreConflictError on a duplicate name. */
  createChannel(input: NewChannel): Promise<Channel>;
  /** @throws StoreConflictError on a duplicate name. */
  updateChannel(id: number, patch: ChannelPatch): Promise<Channel | null>;
  /** Deletes the channel and (by cascade) the group members that point at it. */
  deleteChannel(id: number): Promise<boolean>;

  /**
   * Records one health check of a channel (sync/health-checks.ts): the result into the history,
   * pruned to the newest `keep` results of that channel, and the channel's new check state. Counts
   * as a configuration write (the relay's snapshot reloads) only when `routingChanged` (the channel
   * went down or came back), so a check every minute does not reload every snapshot.
   * @returns false when the channel no longer exists (nothing written).
   */
  recordChannelCheck(result: ChannelCheckResult, state: ChannelHealthState, opts: { keep: number; routingChanged: boolean }): Promise<boolean>;
  /** Health check results, newest first: `perChannel` at most for each channel (of `channelId` only when given). */
  listChannelChecks(opts: { perChannel: number; channelId?: number }): Promise<ChannelCheckResult[]>;

  listGroups(): Promise<Group[]>;
  getGroup(id: number): Promise<Group | null>;
  /** @throws StoreConflictError on a duplicate name. */
  createGroup(input: NewGroup): Promise<Group>;
  /** Replaces the member list when `patch.members` is given. @throws StoreConflictError on a duplicate name. */
  updateGroup(id: number, patch: GroupPatch): Promise<Group | null>;
  deleteGroup(id: number): Promise<boolean>;
  /** The group named `name` with its members' channels, or null when no such group exists. */
  findRoute(name: string): Promise<Route | null>;

  /**
   * Applies a whole configuration change (backup import) as one atomic unit: a D1 batch on the
   * edge, a transaction on the SQL stores. Deletes first, then updates and inserts with the given
   * ids; counts as one configuration write (the relay's snapshot reloads).
   * @throws StoreConflictError when a uniqueness rule breaks (e.g. a row made meanwhile took a
   * name or id); nothing is written then.
   */
  applyConfig(write: ConfigWrite, at: number): Promise<void>;

  listApiKeys(): Promise<ApiKey[]>;
  getApiKey(id: number): Promise<ApiKey | null>;
  createApiKey(input: NewApiKey): Promise<ApiKey>;
  updateApiKey(id: number, patch: ApiKeyPatch): Promise<ApiKey | null>;
  deleteApiKey(id: number): Promise<boolean>;
  /** Lookup by SHA-256 hex of the secret. */
  findApiKeyByHash(keyHash: string): Promise<ApiKey | null>;
  touchApiKey(id: number, at: number): Promise<void>;

  getAdminPasswordHash(): Promise<string | null>;
  setAdminPasswordHash(hash: string, at: number): Promise<void>;
  createSession(tokenHash: string, createdAt: number, expiresAt: number): Promise<void>;
  /** The session's expiry (ms) or null when unknown. */
  findSession(tokenHash: string): Promise<number | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Removes every session (after a password change). */
  deleteAllSessions(): Promise<void>;
  /**
   * Counts one login attempt for `key` atomically (one statement, so parallel attempts cannot read
   * a stale count) and returns the attempts in the current window, this one included. A window
   * older than `windowMs` restarts at 1.
   */
  countLoginAttempt(key: string, now: number, windowMs: number): Promise<{ attempts: number; windowStart: number }>;
  clearThrottle(key: string): Promise<void>;

  /**
   * Writes one flush of request logs and stats deltas atomically, together with its id.
   * @returns 'duplicate' when that flush id was applied before (nothing is written again).
   * @throws when the database fails; nothing of the flush is then written.
   */
  applyFlush(flushId: string, at: number, logs: RequestRecord[], stats: StatsDelta[]): Promise<'applied' | 'duplicate'>;
  /**
   * Request logs matching `filter`, newest first (time, then id, descending), at most `limit`.
   * Paging: `before` (ms) alone gives rows strictly older; with `beforeId` too, rows after the
   * (before, beforeId) row in that order, so rows sharing a millisecond are not skipped.
   * Bodies are not read (a page of 500 rows could otherwise pull 500 × 3 bodies of up to 512 KiB
   * each): `requestBody`, `responseBody` and `upstreamRequestBody` are null, and `hasBodies` says
   * whether the row has any (getLog reads them).
   */
  listLogs(opts: { limit: number; before?: number; beforeId?: string } & LogFilter): Promise<ListedLog[]>;
  getLog(id: string): Promise<RequestRecord | null>;
  /** Every stored price: user prices by model name, models.dev prices with their provider. nano-USD per 1M tokens. */
  loadPrices(): Promise<{ user: Map<string, Price>; modelsDev: ModelsDevPrice[] }>;
  /** Replaces all models.dev prices at once (user prices are never touched). */
  replaceModelsDevPrices(prices: ModelsDevPrice[], at: number): Promise<void>;
  setUserPrice(model: string, price: Price, at: number): Promise<void>;
  /** @returns false when there was no user price for the model. */
  deleteUserPrice(model: string): Promise<boolean>;
  /** Records what a sync did (`prices`, `channel:<id>`). */
  putSyncState(key: string, at: number, ok: boolean, detail: unknown): Promise<void>;
  listSyncState(): Promise<{ key: string; lastRunAt: number; ok: boolean; detail: unknown }[]>;
  /**
   * Sums of stats rows with `from <= hour < to` (ms), per time bucket (hour or UTC day) and, when
   * `by` is given, per group, channel, upstream model or client key. `key` of a row is the
   * dimension's value (group name, channel id, model, key id) or '' without `by`. `only` keeps the
   * rows of one client key (`apiKeyId`) and/or one group (`groupName`, exact) before summing.
   */
  statsSeries(from: number, to: number, bucket: 'hour' | 'day', by?: 'group' | 'channel' | 'model' | 'key', only?: SeriesFilter): Promise<(SummaryCounters & { bucket: number; key: string })[]>;
  /** Sums of one client key's stats rows with `from <= hour < to` (ms). */
  keyUsage(apiKeyId: number, from: number, to: number): Promise<StatsCounters>;
  /** Deletes request logs older than `before` (ms); returns how many. */
  deleteLogsBefore(before: number): Promise<number>;
  /** A setting's JSON value, or undefined. */
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown, at: number): Promise<void>;
  /**
   * Sums of stats rows with `from <= hour < to` (ms): in total (null without rows), per hour, and
   * per channel that was tried (channel 0, "none tried", left out).
   */
  statsSummary(from: number, to: number): Promise<StatsSummary>;
}

/**
 * Summed stats counters, plus what rows written before the breakdown counters existed hold
 * (`attempts` etc. NULL there, migration sqlite 0008 / mysql, postgres 0007): their requests and
 * successes and failures are in `requests`/`successes`/`failures` but in no breakdown counter.
 */
export interface SummaryCounters extends StatsCounters {
  untrackedRequests: number;
  untrackedSuccesses: number;
  untrackedFailures: number;
}

/** What Store.statsSummary returns; see there. */
export interface StatsSummary {
  total: (StatsDelta & SummaryCounters) | null;
  hours: (StatsDelta & SummaryCounters)[];
  channels: (SummaryCounters & { channelId: number })[];
}

/** A range of HTTP statuses, both ends inclusive (`429` is {429, 429}; `4xx` is {400, 499}). */
export interface StatusRange {
  min: number;
  max: number;
}

/** Filters of a request-log search; all given ones must hold (AND). */
export interface LogFilter {
  groupName?: string;
  apiKeyId?: number;
  /** Any attempt of the request was on this channel (not only the final one). */
  channelId?: number;
  /** The client's status is in one of these ranges. */
  statuses?: StatusRange[];
  /** Only failed requests: a non-2xx status or an error (e.g. a stream that broke after 200). */
  errorsOnly?: boolean;
  /** ms since epoch, inclusive. */
  from?: number;
  /** ms since epoch, exclusive. */
  to?: number;
  /**
   * Free text: equals the request id, or is a case-insensitive substring of the group name, the
   * upstream model or the error. LIKE wildcards in it are matched literally.
   */
  text?: string;
}
