/**
 * The configuration an admin made, with every secret in plain text: the form a backup is exported
 * from and imported into, between the store (secrets sealed with the server's ENCRYPTION_KEY) and
 * the file (secrets sealed with a passphrase). It lives only in memory, for one request.
 *
 * Ids: a channel's id is what members' `channelId` refer to inside one image.
 */
import type { Price } from '../accounting/cost';
import type { Store } from '../db/store';
import type { ApiKey, Channel, ChannelEndpoint, ChannelOverrides, ChannelType, GroupMode, GroupSettings, HealthCheckConfig } from '../db/types';
import { openHeaders } from '../lib/channel-headers';
import type { KeyVault } from '../lib/crypto';
import { openHeaderEdits } from '../lib/override-secrets';
import { openProxy } from '../lib/proxy';
import { loadSettings, type Settings } from '../settings';

/** One upstream key of a channel, in plain text. */
export interface PlainKey {
  id: string;
  key: string;
  enabled: boolean;
}

export interface PlainChannel {
  id: number;
  name: string;
  type: ChannelType;
  baseUrl: string;
  keys: PlainKey[];
  models: string[];
  /** Header values in plain text (credential ones included). */
  headers: Record<string, string>;
  modelFilter: string | null;
  /** Override header values in plain text. */
  overrides: ChannelOverrides | null;
  /** The full proxy URL (credentials included), or null. */
  proxy: string | null;
  /** The scheduled health check settings (not its state), or null. */
  healthCheck: HealthCheckConfig | null;
  /** Extra endpoints (issue 14.5), or null; optional: images of older files lack it. */
  endpoints?: ChannelEndpoint[] | null;
  enabled: boolean;
}

export interface PlainMember {
  /** The id of a channel of the same image. */
  channelId: number;
  upstreamModel: string;
  priority: number;
  weight: number;
  overrides: ChannelOverrides | null;
  /** The pinned endpoint type (issue 14.5), or null; optional: images of older files lack it. */
  protocol?: ChannelType | null;
  enabled: boolean;
}

export interface PlainGroup {
  id: number;
  name: string;
  mode: GroupMode;
  settings: GroupSettings;
  aliases: string[];
  patterns: string[];
  enabled: boolean;
  members: PlainMember[];
}

/** A client key: only its hash is ever known (the secret was shown once, at creation). */
export type PlainApiKey = Omit<ApiKey, 'lastUsedAt'> & { lastUsedAt: number | null };

/** A user price, nano-USD per 1M tokens. */
export interface PlainPrice {
  model: string;
  price: Price;
}

/** The gateway settings with the global proxy as its full URL. */
export type PlainSettings = Omit<Settings, 'proxy'> & { proxy: string | null };

export interface ConfigImage {
  channels: PlainChannel[];
  groups: PlainGroup[];
  apiKeys: PlainApiKey[];
  prices: PlainPrice[];
  /** Settings to apply; fields left out keep their current value (a whole object in our own files). */
  settings: Partial<PlainSettings> | null;
}

/** Thrown when a stored secret cannot be opened with the server's key (ENCRYPTION_KEY changed). */
export class StoredSecretError extends Error {
  constructor(what: string) {
    super(`${what} cannot be decrypted with this server's ENCRYPTION_KEY (was it changed?). Re-enter it, then export again.`);
    this.name = 'StoredSecretError';
  }
}

/**
 * Stands for a stored secret that does not open when reading leniently (an import): it equals no
 * real value, so the row counts as changed and the file's value replaces it.
 */
export const UNREADABLE = '\u0000unreadable';

/** Opens one stored secret; when it does not open, `fallback` if given (lenient reading), else StoredSecretError. */
async function opened<T>(what: string, open: () => Promise<T>, fallback: T | undefined): Promise<T> {
  try {
    return await open();
  } catch {
    if (fallback !== undefined) return fallback;
    throw new StoredSecretError(what);
  }
}

async function plainOverrides(vault: KeyVault, o: ChannelOverrides | null | undefined, what: string, lenient: boolean): Promise<ChannelOverrides | null> {
  if (!o) return null;
  if (!o.headers) return o;
  const unreadable = lenient ? Object.entries(o.headers).map(([n]) => [n, UNREADABLE] as [string, string | null]) : undefined;
  const edits = await opened(`${what} override headers`, () => openHeaderEdits(vault, Object.entries(o.headers!)), unreadable);
  return { ...o, headers: Object.fromEntries(edits) };
}

/**
 * A stored channel with its secrets opened.
 * @param lenient a secret that does not open reads as UNREADABLE instead of throwing.
 * @throws StoredSecretError (not lenient)
 */
export async function plainChannel(vault: KeyVault, ch: Channel, lenient = false): Promise<PlainChannel> {
  const what = `channel "${ch.name}"`;
  const fb = lenient ? UNREADABLE : undefined;
  const keys: PlainKey[] = [];
  for (const k of ch.keys) keys.push({ id: k.id, key: await opened(`a key of ${what}`, () => vault.decrypt(k.enc), fb), enabled: k.enabled });
  return {
    id: ch.id, name: ch.name, type: ch.type, baseUrl: ch.baseUrl, keys, models: ch.models,
    headers: await opened(`the headers of ${what}`, () => openHeaders(vault, ch.headers), lenient ? { [UNREADABLE]: UNREADABLE } : undefined),
    modelFilter: ch.modelFilter, overrides: await plainOverrides(vault, ch.overrides, what, lenient),
    proxy: ch.proxy ? await opened(`the proxy of ${what}`, () => openProxy(vault, ch.proxy!), fb) : null,
    healthCheck: ch.healthCheck ?? null, endpoints: ch.endpoints ?? null, enabled: ch.enabled,
  };
}

/**
 * Everything configured in `store`, secrets opened with `vault`.
 * @param opts.lenient a stored secret that does not open (ENCRYPTION_KEY changed) reads as
 *   UNREADABLE, so an import can still replace it; without it (export) that throws.
 * @throws StoredSecretError when a stored secret does not open (not lenient).
 */
export async function readImage(store: Store, vault: KeyVault, opts: { lenient?: boolean } = {}): Promise<ConfigImage & { settings: PlainSettings }> {
  const lenient = opts.lenient ?? false;
  const [channels, groups, apiKeys, prices, settings] = await Promise.all([
    store.listChannels(), store.listGroups(), store.listApiKeys(), store.loadPrices(), loadSettings(store),
  ]);
  const plainChannels: PlainChannel[] = [];
  for (const ch of channels) plainChannels.push(await plainChannel(vault, ch, lenient));
  const plainGroups: PlainGroup[] = [];
  for (const g of groups) {
    const members: PlainMember[] = [];
    for (const m of g.members) {
      members.push({
        channelId: m.channelId, upstreamModel: m.upstreamModel, priority: m.priority, weight: m.weight,
        overrides: await plainOverrides(vault, m.overrides, `a member of group "${g.name}"`, lenient), protocol: m.protocol ?? null, enabled: m.enabled,
      });
    }
    plainGroups.push({ id: g.id, name: g.name, mode: g.mode, settings: g.settings, aliases: g.aliases, patterns: g.patterns, enabled: g.enabled, members });
  }
  const proxy = settings.proxy ? await opened('the global proxy', () => openProxy(vault, settings.proxy!), lenient ? UNREADABLE : undefined) : null;
  return {
    channels: plainChannels,
    groups: plainGroups,
    apiKeys: apiKeys.map((k) => ({ ...k })),
    prices: [...prices.user.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([model, price]) => ({ model, price })),
    settings: { ...settings, proxy },
  };
}
