/**
 * createApp(platform): the whole gateway as a Hono app, with no runtime imports. The edge and Node
 * entries each pass a function that gives the Platform for a request.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BACKUP_BODY_LIMIT } from './admin/backup';
import { cors } from 'hono/cors';
import type { AppEnv } from './app-env';
import { adminRoutes } from './admin/routes';
import { gatewayError } from './protocols/canonical';
import { withoutQueryParams } from './lib/redact';
import type { Platform } from './platform';
import { isStoreUnavailable } from './db/failure';
import { protocolError, storeUnavailable, UNAVAILABLE_RETRY_SECONDS } from './relay/generate';
import { listingProtocol } from './relay/models';
import { relayRoutes } from './relay/routes';

/** A misconfiguration whose message is safe to show (it names a setting, never a secret's value). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Largest admin request body, bytes. */
export const ADMIN_BODY_LIMIT = 1024 * 1024;
export { RELAY_BODY_LIMIT } from './relay/body';

function isAdminPath(c: Context): boolean {
  return new URL(c.req.url).pathname.startsWith('/api/');
}

const relayCors = cors({ origin: '*', allowHeaders: ['*'], exposeHeaders: ['retry-after', 'x-request-id'], maxAge: 86400 });

/** Builds the app. `resolvePlatform` may throw ConfigError (e.g. a missing secret). */
export function createApp(resolvePlatform: (c: Context<AppEnv>) => Platform): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('platform', resolvePlatform(c));
    await next();
  });
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Admin bodies are small forms; a relay body can carry images and long agent histories.
  // A backup import carries the whole configuration: its own, larger limit.
  const limit = (maxSize: number) => bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: { code: 'payload_too_large', message: `The body is larger than ${maxSize} bytes.` } }, 413),
  });
  const adminLimit = limit(ADMIN_BODY_LIMIT);
  const backupLimit = limit(BACKUP_BODY_LIMIT);
  app.use('/api/*', (c, next) => (c.req.path === '/api/v1/backup/import' ? backupLimit(c, next) : adminLimit(c, next)));
  // Relay bodies are read by the handlers themselves (relay/body.ts): after the client key is known,
  // with the size cap enforced while they arrive.
  for (const prefix of ['/v1/*', '/v1beta/*']) {
    // Browser apps may call the relay directly: it authenticates by key header, never by cookie.
    // Only a request with an Origin (every cross-origin browser request, preflights included) needs
    // CORS headers; SDKs and CLIs send none. Skipping the middleware for them matters on the hot path:
    // it sets its headers before the handler, so Hono then copies them into a second Response
    // (on Node: materialising the adapter's lightweight Response), ~3% of a request's CPU.
    app.use(prefix, async (c, next) => (c.req.header('origin') === undefined ? next() : relayCors(c, next)));
  }
  app.route('/api/v1', adminRoutes());
  app.route('/', relayRoutes());

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (isAdminPath(c)) return c.json({ error: { code: 'not_found', message: `No endpoint ${c.req.method} ${path}.` } }, 404);
    return protocolError(listingProtocol(c.req.raw), gatewayError(404, 'not_found', 'unknown_url', `Unknown request URL: ${c.req.method} ${path}.`));
  });

  app.onError((err, c) => {
    if (isStoreUnavailable(err)) {
      // The database is down, unreachable or timed out: a retryable 503, never a 500 (or a crash).
      console.warn(JSON.stringify({ level: 'warn', msg: 'database unavailable', path: new URL(c.req.url).pathname, error: withoutQueryParams(String(err?.message ?? err)).slice(0, 300) }));
      c.header('retry-after', String(UNAVAILABLE_RETRY_SECONDS));
      if (isAdminPath(c)) return c.json({ error: { code: 'database_unavailable', message: 'The gateway cannot reach its database. Try again shortly.' } }, 503);
      return protocolError(listingProtocol(c.req.raw), storeUnavailable());
    }
    const safe = err instanceof ConfigError;
    const message = safe ? err.message : 'Internal error in the gateway.';
    if (!safe) console.error(JSON.stringify({ level: 'error', msg: 'unhandled error', error: withoutQueryParams(String(err?.stack ?? err)) }));
    if (isAdminPath(c)) return c.json({ error: { code: safe ? 'misconfigured' : 'internal', message } }, 500);
    return protocolError(listingProtocol(c.req.raw), gatewayError(500, 'internal', safe ? 'misconfigured' : 'internal_error', message));
  });
  return app;
}
