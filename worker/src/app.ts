/**
 * createApp(platform): the whole gateway as a Hono app, with no runtime imports. The edge and Node
 * entries each pass a function that gives the Platform for a request.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from './app-env';
import { adminRoutes } from './admin/routes';
import { gatewayError } from './protocols/canonical';
import type { Platform } from './platform';
import { protocolError } from './relay/generate';
import { listingProtocol } from './relay/models';
import { relayRoutes } from './relay/routes';

/** A misconfiguration whose message is safe to show (it names a setting, never a secret's value). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function isAdminPath(c: Context): boolean {
  return new URL(c.req.url).pathname.startsWith('/api/');
}

/** Builds the app. `resolvePlatform` may throw ConfigError (e.g. a missing secret). */
export function createApp(resolvePlatform: (c: Context<AppEnv>) => Platform): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('platform', resolvePlatform(c));
    await next();
  });
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/api/v1', adminRoutes());
  app.route('/', relayRoutes());

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (isAdminPath(c)) return c.json({ error: { code: 'not_found', message: `No endpoint ${c.req.method} ${path}.` } }, 404);
    return protocolError(listingProtocol(c.req.raw), gatewayError(404, 'not_found', 'unknown_url', `Unknown request URL: ${c.req.method} ${path}.`));
  });

  app.onError((err, c) => {
    const safe = err instanceof ConfigError;
    const message = safe ? err.message : 'Internal error in the gateway.';
    if (!safe) console.error(JSON.stringify({ level: 'error', msg: 'unhandled error', error: String(err?.stack ?? err) }));
    if (isAdminPath(c)) return c.json({ error: { code: safe ? 'misconfigured' : 'internal', message } }, 500);
    return protocolError(listingProtocol(c.req.raw), gatewayError(500, 'internal', safe ? 'misconfigured' : 'internal_error', message));
  });
  return app;
}
