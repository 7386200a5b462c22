/** `/api/v1/settings`: read and change the gateway-wide settings (settings.ts). */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { EDGE_PROXY_REFUSAL, sealProxy } from '../lib/proxy';
import { SettingsBody, forgetSettings, loadSettings, settingsView } from '../settings';
import { adminError, readBody } from './http';

export function settingsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/settings', async (c) => c.json(settingsView(await loadSettings(c.get('platform').store))));
  r.put('/settings', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, SettingsBody);
    if (!body.ok) return body.response;
    const { proxy: proxyInput, ...rest } = body.value;
    const current = await loadSettings(p.store);
    let proxy = current.proxy;
    if (proxyInput !== undefined) {
      if (proxyInput !== null && proxyInput.trim() !== '' && !p.outboundProxy) return adminError(c, 400, 'invalid_request', `proxy: ${EDGE_PROXY_REFUSAL}`);
      const sealed = await sealProxy(p.vault, proxyInput, current.proxy);
      if (sealed && 'error' in sealed) return adminError(c, 400, 'invalid_request', `proxy: ${sealed.error}`);
      proxy = sealed;
    }
    const next = { ...current, ...rest, proxy };
    await p.store.putSetting('gateway', next, p.now());
    forgetSettings(p.store);
    return c.json(settingsView(next));
  });
  return r;
}
