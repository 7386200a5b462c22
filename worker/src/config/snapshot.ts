/**
 * The relay's view of the configuration: every client key, group (with members) and channel, and
 * the gateway settings, loaded at once into memory and served from there, so a relay request in
 * steady state reads nothing from the database (DESIGN.md "Steady state has no database read").
 *
 * Freshness (how stale an entry can be):
 * - A change made through this instance's Store (admin API, sync) applies to the very next request:
 *   every config write raises the store's `configEpoch`, and a snapshot of an older epoch is reloaded
 *   before it is used.
 * - A change made elsewhere (another Worker isolate, another process on the same database, a manual
 *   SQL edit) is seen within CONFIG_CHECK_MS plus one query: each snapshot older than that triggers a
 *   background check of the stored config version (`Store.configVersion`, one small read off the
 *   request path, at most one in flight per store), which reloads the snapshot when it moved.
 * - When the database fails, the last good snapshot keeps serving; only an instance that never
 *   loaded one answers 503 (StoreUnavailableError).
 *
 * Runtime-neutral (no Hono, Cloudflare or Node import).
 */
import type { ApiKey, Channel, Group, GroupMember, Route } from '../db/types';
import type { Store } from '../db/store';
import { openHeaders } from '../lib/channel-headers';
import { openProxy } from '../lib/proxy';
import type { KeyVault } from '../lib/crypto';
import { SecretMatcher } from '../lib/redact';
import { compileOverrides, type CompiledOverrides } from '../lib/overrides';
import { openHeaderEdits } from '../lib/override-secrets';
import { loadSettings, type Settings } from '../settings';
import { ModelResolver } from './resolve';

/** How long a snapshot is trusted before its version is checked again, ms (the staleness bound for changes made elsewhere). */
export const CONFIG_CHECK_MS = 2_000;
/** A background check that has not finished after this long is taken for lost (its request was cancelled), ms. */
const CHECK_STALE_MS = 10_000;

/** Thrown when the configuration cannot be read and no earlier snapshot exists: the relay answers 503. */
export class StoreUnavailableError extends Error {
  constructor(readonly causeMessage: string) {
    super('The gateway cannot reach its database.');
    this.name = 'StoreUnavailableError';
  }
}

/** An immutable view of the configuration at one version. */
export class ConfigSnapshot {
  /** Client keys by the SHA-256 hex of their secret. */
  readonly keysByHash: Map<string, ApiKey>;
  /** Every group by name, with the channels its members use. */
  readonly routes: Map<string, Route>;
  /** Every group in id order (model lists). */
  readonly groups: Group[];
  /** Requested name → group (names, aliases, patterns: config/resolve.ts), compiled once per snapshot. */
  readonly resolver: ModelResolver;
  /** Decrypted channel credentials, filled on first use: `channelId:keyId` → key, or null when undecryptable. */
  private readonly openKeys = new Map<string, string | null>();
  /** Decrypted channel headers by channel id, filled on first use; null when undecryptable. */
  private readonly openedHeaders = new Map<number, Record<string, string> | null>();
  /** Redaction matchers by `channelId:keyId`: building one (base64 forms…) costs more than a request should pay each time. */
  private readonly matchers = new Map<string, SecretMatcher>();
  /**
   * Request overrides by member id, the channel's and the member's combined once here (no entry:
   * neither has any, and a request pays nothing but the lookup).
   */
  private readonly overridesByMember = new Map<number, CompiledOverrides>();
  /** Outbound proxy URLs decrypted, by channel id (the global one under 0), filled on first use; null when undecryptable. */
  private readonly openedProxies = new Map<number, string | null>();
  /** Override header edits with credential values decrypted, by member id, filled on first use; null when undecryptable. */
  private readonly openedEdits = new Map<number, [string, string | null][] | null>();

  constructor(
    /** The stored config version this snapshot reflects. */
    readonly version: string,
    channels: Channel[],
    groups: Group[],
    keys: ApiKey[],
    readonly settings: Settings,
  ) {
    this.keysByHash = new Map(keys.map((k) => [k.keyHash, k]));
    const byId = new Map(channels.map((c) => [c.id, c]));
    this.groups = groups;
    this.resolver = new ModelResolver(groups);
    this.routes = new Map(groups.map((g) => {
      const used = new Map<number, Channel>();
      for (const m of g.members) {
        const ch = byId.get(m.channelId);
        if (ch) used.set(ch.id, ch);
        const compiled = compileOverrides(ch?.overrides, m.overrides);
        if (compiled) this.overridesByMember.set(m.id, compiled);
      }
      return [g.name, { group: g, channels: used }];
    }));
  }

  /**
   * A channel key in plain text, decrypted once per snapshot.
   * @returns null when the key does not exist or cannot be decrypted (ENCRYPTION_KEY changed).
   */
  async channelKey(vault: KeyVault, channel: Channel, keyId: string): Promise<string | null> {
    const id = `${channel.id}:${keyId}`;
    const hit = this.openKeys.get(id);
    if (hit !== undefined) return hit;
    const stored = channel.keys.find((k) => k.id === keyId);
    let plain: string | null = null;
    if (stored) {
      try {
        plain = await vault.decrypt(stored.enc);
      } catch {
        plain = null;
      }
    }
    this.openKeys.set(id, plain);
    return plain;
  }

  /**
   * The matcher that redacts an attempt's credentials (lib/redact.ts), built once per snapshot for
   * a channel key: `secrets` must be what that key and the channel's decrypted headers give.
   * `scope` tells matchers of the same key apart when more secrets join (a member's override
   * headers: `:m<memberId>`).
   */
  secretMatcher(channel: Channel, keyId: string, secrets: () => string[], scope = ''): SecretMatcher {
    const id = `${channel.id}:${keyId}${scope}`;
    let m = this.matchers.get(id);
    if (!m) this.matchers.set(id, (m = new SecretMatcher(secrets())));
    return m;
  }

  /** The request overrides of a member (its channel's, then its own), or null when neither has any. */
  overridesOf(member: GroupMember): CompiledOverrides | null {
    return this.overridesByMember.get(member.id) ?? null;
  }

  /**
   * A member's override header edits (`overridesOf(member).headers`) with credential values
   * decrypted, once per snapshot.
   * @returns null when a value cannot be decrypted.
   */
  async overrideHeaders(vault: KeyVault, member: GroupMember, compiled: CompiledOverrides): Promise<[string, string | null][] | null> {
    return openOnce(this.openedEdits, member.id, () => openHeaderEdits(vault, compiled.headers));
  }

  /**
   * The outbound proxy of a channel as a full URL, credentials decrypted once per snapshot: the
   * channel's own, else the global one (settings), else none. Costs one comparison when neither
   * exists (the usual case).
   * @returns undefined for a direct call, null when the credentials cannot be decrypted.
   */
  async channelProxy(vault: KeyVault, channel: Channel): Promise<string | null | undefined> {
    const stored = channel.proxy ?? this.settings.proxy;
    if (!stored) return undefined;
    return openOnce(this.openedProxies, channel.proxy ? channel.id : 0, () => openProxy(vault, stored));
  }

  /**
   * A channel's headers with credential values decrypted, once per snapshot.
   * @returns null when a value cannot be decrypted.
   */
  async channelHeaders(vault: KeyVault, channel: Channel): Promise<Record<string, string> | null> {
    return openOnce(this.openedHeaders, channel.id, () => openHeaders(vault, channel.headers));
  }
}

/**
 * A decrypted value from `cache`, opened on first use (once per snapshot); null, cached as well,
 * when `open` fails (a value sealed under another ENCRYPTION_KEY), so a bad value is not retried
 * on every request.
 */
async function openOnce<K, V>(cache: Map<K, V | null>, key: K, open: () => Promise<V>): Promise<V | null> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let opened: V | null;
  try {
    opened = await open();
  } catch {
    opened = null;
  }
  cache.set(key, opened);
  return opened;
}

/**
 * Reads the whole configuration. The version is read first: a write that lands during the load
 * leaves a newer version behind, so the next check reloads.
 * @throws the store's error when a query fails.
 */
export async function loadSnapshot(store: Store): Promise<ConfigSnapshot> {
  const version = await store.configVersion();
  const [channels, groups, keys, settings] = await Promise.all([store.listChannels(), store.listGroups(), store.listApiKeys(), loadSettings(store)]);
  return new ConfigSnapshot(version, channels, groups, keys, settings);
}

interface CacheEntry {
  snapshot: ConfigSnapshot | null;
  /** The store's configEpoch the snapshot was loaded at. */
  epoch: number;
  /** ms when the version was last confirmed. */
  checkedAt: number;
  /** ms when a background check started; 0 when none runs. */
  checking: number;
  /** A load shared by concurrent requests (only where the runtime allows sharing a promise), with its epoch. */
  pending: { epoch: number; load: Promise<ConfigSnapshot> } | null;
  /** Last `last_used_at` write per key id, ms (so a key is touched at most once per resolution). */
  touched: Map<number, number>;
}

const entries = new WeakMap<Store, CacheEntry>();

function entryFor(store: Store): CacheEntry {
  let e = entries.get(store);
  if (!e) entries.set(store, (e = { snapshot: null, epoch: -1, checkedAt: 0, checking: 0, pending: null, touched: new Map() }));
  return e;
}

/** What the cache needs from the runtime. */
export interface ConfigHost {
  store: Store;
  now(): number;
  /** Keeps background work alive after the response (the version check). */
  defer(promise: Promise<unknown>): void;
  logger: { warn(msg: string, fields?: Record<string, unknown>): void };
  /**
   * Whether one in-flight load may be awaited by several requests. Node: yes. Workers: no (a
   * promise must not cross from one request's context to another's, or a cancelled request could
   * leave the others waiting forever).
   */
  shareLoads?: boolean;
}

/**
 * The current snapshot: from memory when it is of the store's current epoch, else loaded now.
 * Starts a background version check when the snapshot is older than CONFIG_CHECK_MS.
 * @throws StoreUnavailableError when no snapshot exists and the load fails.
 */
export async function currentConfig(host: ConfigHost): Promise<ConfigSnapshot> {
  const { store } = host;
  const e = entryFor(store);
  const now = host.now();
  if (e.snapshot && e.epoch === store.configEpoch) {
    if (now - e.checkedAt >= CONFIG_CHECK_MS && (e.checking === 0 || now - e.checking > CHECK_STALE_MS)) {
      e.checking = now;
      host.defer(revalidate(host, e));
    }
    return e.snapshot;
  }
  return reload(host, e);
}

/** Loads a snapshot for the store's current epoch and makes it current. */
async function reload(host: ConfigHost, e: CacheEntry): Promise<ConfigSnapshot> {
  const epoch = host.store.configEpoch;
  if (host.shareLoads && e.pending && e.pending.epoch === epoch) return e.pending.load;
  const load = loadSnapshot(host.store).then(
    (snapshot) => {
      // A newer load may have finished first; the epoch says which is current.
      if (epoch >= e.epoch) {
        e.snapshot = snapshot;
        e.epoch = epoch;
        e.checkedAt = host.now();
      }
      return snapshot;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      // A stale snapshot beats no answer: keep serving it and retry at the next request.
      if (e.snapshot) {
        host.logger.warn('configuration reload failed; serving the previous snapshot', { error: message.slice(0, 300) });
        return e.snapshot;
      }
      throw new StoreUnavailableError(message);
    },
  );
  if (host.shareLoads) {
    const pending = { epoch, load };
    e.pending = pending;
    void load.finally(() => {
      if (e.pending === pending) e.pending = null;
    }).catch(() => {});
  }
  return load;
}

/** Background: reloads when the stored version moved; never throws. */
async function revalidate(host: ConfigHost, e: CacheEntry): Promise<void> {
  try {
    const version = await host.store.configVersion();
    if (e.snapshot && version !== e.snapshot.version) {
      const epoch = host.store.configEpoch;
      const fresh = await loadSnapshot(host.store);
      if (epoch >= e.epoch) {
        e.snapshot = fresh;
        e.epoch = epoch;
      }
    }
  } catch (err) {
    host.logger.warn('configuration check failed; serving the previous snapshot', { error: (err instanceof Error ? err.message : String(err)).slice(0, 300) });
  } finally {
    e.checkedAt = host.now();
    e.checking = 0;
  }
}

/**
 * Whether a key's `last_used_at` should be written now: at most once per `resolutionMs` per key and
 * instance (the snapshot's own `lastUsedAt` is not updated by the write).
 */
export function shouldTouchKey(store: Store, key: ApiKey, now: number, resolutionMs: number): boolean {
  const e = entryFor(store);
  const last = Math.max(e.touched.get(key.id) ?? 0, key.lastUsedAt ?? 0);
  if (now - last < resolutionMs) return false;
  e.touched.set(key.id, now);
  return true;
}

/** Forgets the cached snapshot of a store (tests; a store that is closed). */
export function forgetConfig(store: Store): void {
  entries.delete(store);
}
