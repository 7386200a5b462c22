/**
 * `/api/v1/settings`: gateway-wide settings. Values are validated here; absent ones take defaults.
 * - logRetentionDays: request logs older than this are deleted by the daily cron (default 30).
 */
import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../app-env';
import type { Store } from '../db/store';
import { readBody } from './http';

export const SettingsBody = z.strictObject({
  logRetentionDays: z.int().min(1).max(3650).optional(),
});
export type Settings = { logRetentionDays: number };

export const DEFAULT_SETTINGS: Settings = { logRetentionDays: 30 };

/** The current settings, defaults filled in. */
export async function loadSettings(store: Store): Promise<Settings> {
  const stored = SettingsBody.safeParse((await store.getSetting('gateway')) ?? {});
  return { ...DEFAULT_SETTINGS, ...(stored.success ? stored.data : {}) } as Settings;
}

export function settingsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/settings', async (c) => c.json(await loadSettings(c.get('platform').store)));
  r.put('/settings', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, SettingsBody);
    if (!body.ok) return body.response;
    const next = { ...(await loadSettings(p.store)), ...body.value };
    await p.store.putSetting('gateway', next, p.now());
    return c.json(next);
  });
  return r;
}
