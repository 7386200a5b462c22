/**
 * Mounts the admin API under `/api/v1`. Every state-changing request must come from the gateway's
 * own origin (csrf.ts); everything but login/logout/session needs an admin session.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { channelRoutes } from './channels';
import { sameOriginOnly } from './csrf';
import { groupRoutes } from './groups';
import { adminError } from './http';
import { apiKeyRoutes } from './keys';
import { requireAdmin, sessionRoutes } from './session';
import { priceRoutes } from './prices';
import { settingsRoutes } from './settings';
import { statsRoutes } from './stats';

export function adminRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', sameOriginOnly);
  r.route('/auth', sessionRoutes());
  r.use('*', requireAdmin);
  r.route('/channels', channelRoutes());
  r.route('/groups', groupRoutes());
  r.route('/keys', apiKeyRoutes());
  r.route('/', statsRoutes());
  r.route('/', priceRoutes());
  r.route('/', settingsRoutes());
  r.all('*', (c) => adminError(c, 404, 'not_found', `No admin endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`));
  return r;
}
