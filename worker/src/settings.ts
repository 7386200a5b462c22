/**
 * Gateway-wide settings (the `settings` table, key `gateway`): validated with zod, absent values
 * take defaults. Runtime-neutral: used by the admin API, the relay, the stats flushers (group
 * Durable Object, Node's in-process holder) and the cron jobs.
 */
import * as z from 'zod';
import type { Store } from './db/store';
import { asStoredProxy, shownProxy, type StoredProxy } from './lib/proxy';

/** The body of `PUT /api/v1/settings`; every field optional (a partial update). */
export const SettingsBody = z.strictObject({
  /** Request logs older than this many days are deleted by the daily cron. */
  logRetentionDays: z.int().min(1).max(3650).optional(),
  /** "Stats save interval": how often buffered stats and logs are written to the database, seconds. */
  statsSaveIntervalSeconds: z.int().min(5).max(3600).optional(),
  /** Keep request and response bodies in the request log. */
  logBodies: z.boolean().optional(),
  /**
   * Each logged body is cut to this many bytes (UTF-8), with a truncation marker. At most 512 KiB:
   * one buffered record (both bodies) must fit a Durable Object storage value (2 MB); a pending
   * flush holds as many records as fit in 1 MB (edge/group-object.ts).
   */
  logBodyMaxBytes: z.int().min(256).max(524_288).optional(),
  /** Hours between two models.dev price syncs by the cron (it fires every 6 hours on the edge). */
  priceSyncIntervalHours: z.int().min(1).max(24 * 30).optional(),
  /** Hours between two model-list syncs of the channels by the cron (it fires hourly). */
  modelSyncIntervalHours: z.int().min(1).max(24 * 30).optional(),
  /**
   * The gateway-wide outbound proxy URL (Node mode only, lib/proxy.ts), used by channels without
   * their own and by the models.dev price sync; null or '' for none. Stored sealed, shown with the
   * password reduced to a hint; that text sent back keeps the stored proxy.
   */
  proxy: z.string().max(2048).nullable().optional(),
});

/** Every setting with its value; units in the names (days, seconds, bytes, hours). */
export interface Settings {
  logRetentionDays: number;
  statsSaveIntervalSeconds: number;
  logBodies: boolean;
  logBodyMaxBytes: number;
  priceSyncIntervalHours: number;
  modelSyncIntervalHours: number;
  /** The global outbound proxy as stored (credentials sealed), or null for none. */
  proxy: StoredProxy | null;
}

export const DEFAULT_SETTINGS: Settings = {
  logRetentionDays: 30,
  statsSaveIntervalSeconds: 60,
  logBodies: false,
  logBodyMaxBytes: 65_536,
  priceSyncIntervalHours: 6,
  modelSyncIntervalHours: 1,
  proxy: null,
};

/** The current settings, defaults filled in (a stored value that no longer validates is ignored field by field). */
export async function loadSettings(store: Store): Promise<Settings> {
  const stored = (await store.getSetting('gateway')) ?? {};
  const out: Settings = { ...DEFAULT_SETTINGS };
  if (stored && typeof stored === 'object') {
    for (const [key, schema] of Object.entries(SettingsBody.shape)) {
      // Stored sealed, not in its input form.
      if (key === 'proxy') {
        out.proxy = asStoredProxy((stored as Record<string, unknown>).proxy);
        continue;
      }
      const v = schema.safeParse((stored as Record<string, unknown>)[key]);
      if (v.success && v.data !== undefined) (out as unknown as Record<string, unknown>)[key] = v.data;
    }
  }
  return out;
}

/** How long the relay reuses loaded settings, ms: a change in the dashboard applies within this. */
export const SETTINGS_CACHE_MS = 10_000;

const cache = new WeakMap<Store, { at: number; value: Settings }>();

/**
 * The settings, loaded at most every SETTINGS_CACHE_MS per store (the relay reads them on every
 * request; a query each time would cost more than the check). Only loaded values are shared, never
 * a pending load: on Workers a promise must not cross from one request's context to another's.
 */
export async function cachedSettings(store: Store, now: number): Promise<Settings> {
  const hit = cache.get(store);
  if (hit && now - hit.at < SETTINGS_CACHE_MS) return hit.value;
  const value = await loadSettings(store);
  cache.set(store, { at: now, value });
  return value;
}

/** Drops the cached settings of a store (after the admin API changed them, so this instance sees it at once). */
export function forgetSettings(store: Store): void {
  cache.delete(store);
}

/** The settings as the admin API shows them (GET and PUT /api/v1/settings). */
export type SettingsView = Omit<Settings, 'proxy'> & { proxy: string | null };

/** The settings as the admin API shows them: the proxy as its URL with the password reduced to a hint. */
export function settingsView(s: Settings): SettingsView {
  return { ...s, proxy: shownProxy(s.proxy) };
}
