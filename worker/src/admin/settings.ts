/** `/api/v1/settings`: read and change the gateway-wide settings (settings.ts). */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { SettingsBody, forgetSettings, loadSettings } from '../settings';
import { readBody } from './http';

export function settingsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/settings', async (c) => c.json(await loadSettings(c.get('platform').store)));
  r.put('/settings', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, SettingsBody);
    if (!body.ok) return body.response;
    const next = { ...(await loadSettings(p.store)), ...body.value };
    await p.store.putSetting('gateway', next, p.now());
    forgetSettings(p.store);
    return c.json(next);
  });
  return r;
}
