/**
 * Mounts the admin API under `/api/v1`. Every state-changing request must come from the gateway's
 * own origin (csrf.ts); everything but login/logout/session, the OpenAPI document and `/me` (a
 * client key's own usage, authenticated by that key: me.ts) needs an admin session.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { backupRoutes } from './backup';
import { channelRoutes } from './channels';
import { sameOriginOnly } from './csrf';
import { groupRoutes } from './groups';
import { adminError } from './http';
import { apiKeyRoutes } from './keys';
import { meRoutes } from './me';
import { requireAdmin, sessionRoutes } from './session';
import { priceRoutes } from './prices';
import { settingsRoutes } from './settings';
import { statsRoutes } from './stats';
// Built from the zod schemas by `npm run openapi` (worker/openapi/document.ts): the runtime carries the
// document, not the generator.
import openApiDocument from './openapi.json';

/** The document as served, serialised once (it never changes while the process runs). */
let openApiText: string | undefined;

export function adminRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', sameOriginOnly);
  r.route('/auth', sessionRoutes());
  // Public, like most gateways' API descriptions: it names endpoints and schemas, never a secret or
  // anything stored, and tooling (client generators, API explorers) fetches it without a session.
  r.get('/openapi.json', (c) => {
    openApiText ??= JSON.stringify(openApiDocument);
    return c.body(openApiText, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' });
  });
  // Mounted before requireAdmin: the client key is its only credential, the admin cookie is never read.
  r.route('/me', meRoutes());
  r.use('*', requireAdmin);
  r.route('/channels', channelRoutes());
  r.route('/groups', groupRoutes());
  r.route('/keys', apiKeyRoutes());
  r.route('/backup', backupRoutes());
  r.route('/', statsRoutes());
  r.route('/', priceRoutes());
  r.route('/', settingsRoutes());
  r.all('*', (c) => adminError(c, 404, 'not_found', `No admin endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`));
  return r;
}
