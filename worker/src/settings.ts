/**
 * Gateway-wide settings (the `settings` table, key `gateway`): validated with zod, absent values
 * take defaults. Runtime-neutral: used by the admin API and by the cron jobs.
 * - logRetentionDays: request logs older than this are deleted by the daily cron (default 30).
 */
import * as z from 'zod';
import type { Store } from './db/store';

export const SettingsBody = z.strictObject({
  logRetentionDays: z.int().min(1).max(3650).optional(),
});

export interface Settings {
  logRetentionDays: number;
}

export const DEFAULT_SETTINGS: Settings = { logRetentionDays: 30 };

/** The current settings, defaults filled in (a stored value that no longer validates is ignored). */
export async function loadSettings(store: Store): Promise<Settings> {
  const stored = SettingsBody.safeParse((await store.getSetting('gateway')) ?? {});
  return { ...DEFAULT_SETTINGS, ...(stored.success ? stored.data : {}) } as Settings;
}
