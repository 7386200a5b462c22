/**
 * Admin routes of the scheduled channel health checks (issue 14.6), mounted under `/api/v1/channels`:
 * - `GET /health-checks?limit=N`: recent results of every channel, `{ data: { [channelId]: CheckView[] } }`,
 *   newest first, N per channel (default 20, at most CHECK_HISTORY_KEEP).
 * - `GET /:id/health-checks`: one channel's kept results, `{ data: CheckView[] }`.
 * - `POST /:id/health-check`: runs the channel's check now and records it like a scheduled one
 *   (it counts toward the failure threshold and can bring the channel back); `{ result, state }`.
 * A result names the key by its position in the channel's keys (`keyIndex`, 0-based; null when
 * that key was removed since), never by the key itself.
 */
import * as z from 'zod';
import type { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import type { Channel, ChannelCheckResult } from '../db/types';
import { CHECK_HISTORY_KEEP, checkChannel } from '../sync/health-checks';
import { loadSettings } from '../settings';
import { adminError, parseId } from './http';

/** `?limit=` of the all-channels history. */
export const HealthChecksQuery = z.object({ limit: z.coerce.number().int().min(1).max(CHECK_HISTORY_KEEP).optional() });

/** A result as the API shows it: the key by position, not by id. */
export function checkView(r: ChannelCheckResult, channel: Channel | undefined) {
  const { keyId, channelId: _c, ...rest } = r;
  const index = channel ? channel.keys.findIndex((k) => k.id === keyId) : -1;
  return { ...rest, keyIndex: index >= 0 ? index : null };
}

export function mountHealthCheckRoutes(r: Hono<AppEnv>): void {
  r.get('/health-checks', async (c) => {
    const q = HealthChecksQuery.safeParse({ limit: c.req.query('limit') });
    if (!q.success) return adminError(c, 400, 'invalid_request', 'limit: must be an integer from 1 to 50');
    const store = c.get('platform').store;
    const [channels, results] = await Promise.all([store.listChannels(), store.listChannelChecks({ perChannel: q.data.limit ?? 20 })]);
    const byId = new Map(channels.map((ch) => [ch.id, ch]));
    const data: Record<string, ReturnType<typeof checkView>[]> = {};
    for (const res of results) (data[res.channelId] ??= []).push(checkView(res, byId.get(res.channelId)));
    return c.json({ data });
  });

  r.get('/:id/health-checks', async (c) => {
    const store = c.get('platform').store;
    const id = parseId(c.req.param('id'));
    const channel = id ? await store.getChannel(id) : null;
    if (!id || !channel) return adminError(c, 404, 'not_found', `No channel with id ${c.req.param('id')}.`);
    const results = await store.listChannelChecks({ perChannel: CHECK_HISTORY_KEEP, channelId: id });
    return c.json({ data: results.map((res) => checkView(res, channel)) });
  });

  r.post('/:id/health-check', async (c) => {
    const p = c.get('platform');
    const id = parseId(c.req.param('id'));
    const channel = id ? await p.store.getChannel(id) : null;
    if (!id || !channel) return adminError(c, 404, 'not_found', `No channel with id ${c.req.param('id')}.`);
    const out = await checkChannel(p, channel, p.now(), { globalProxy: (await loadSettings(p.store)).proxy, clock: () => p.now() });
    if (!out) return adminError(c, 400, 'invalid_request', 'The channel has no enabled key.');
    return c.json({ result: checkView(out.result, channel), state: out.state });
  });
}
