/**
 * `GET /v1/usage`: a client key reads its own usage (today, this month and all time, UTC) and its
 * limits. Authenticated like the relay; answers in the OpenAI error shape. Money in USD.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { StatsCounters } from '../accounting/records';
import { authenticateClient } from './auth';
import { protocolError, storeUnavailable } from './generate';
import { currentConfig } from '../config/snapshot';

function view(c: StatsCounters) {
  return { ...c, costUsd: c.costNanoUsd / 1e9 };
}

export async function handleUsage(c: Context<AppEnv>): Promise<Response> {
  const p = c.get('platform');
  let today: StatsCounters;
  let thisMonth: StatsCounters;
  let total: StatsCounters;
  let auth: Awaited<ReturnType<typeof authenticateClient>>;
  try {
    auth = await authenticateClient(p, c.req.raw, await currentConfig(p));
    if ('error' in auth) return protocolError('openai-chat', auth.error);
    const now = p.now();
    const day = Math.floor(now / 86_400_000) * 86_400_000;
    const d = new Date(now);
    const month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    [today, thisMonth, total] = await Promise.all([
      p.store.keyUsage(auth.key.id, day, now + 1), p.store.keyUsage(auth.key.id, month, now + 1), p.store.keyUsage(auth.key.id, 0, now + 1),
    ]);
  } catch (err) {
    // The database is down: say so in the caller's protocol, never a 500.
    p.logger.warn('usage unavailable', { error: String(err instanceof Error ? err.message : err).slice(0, 300) });
    return protocolError('openai-chat', storeUnavailable());
  }
  const k = auth.key;
  return c.json({
    key: { name: k.name, prefix: k.keyPrefix, expiresAt: k.expiresAt, allowedGroups: k.allowedGroups },
    limits: {
      budgetUsd: k.budgetNanoUsd === null ? null : k.budgetNanoUsd / 1e9,
      budgetRemainingUsd: k.budgetNanoUsd === null ? null : Math.max(0, k.budgetNanoUsd - total.costNanoUsd) / 1e9,
      rpmLimit: k.rpmLimit,
      tpmLimit: k.tpmLimit,
    },
    today: view(today), month: view(thisMonth), total: view(total),
    note: 'Usage is counted when each group flushes its stats (every minute by default).',
  });
}
