/**
 * `GET /api/v1/me`: a client key holder's own page, authenticated by the client key alone
 * (`Authorization: Bearer sk-oe-…` or `x-api-key`), never by the admin session. It answers the
 * key's name and state, its limits, what it spent in all (and what is left of its budget), its
 * usage over a range by hour or UTC day and by model, and its recent requests: its own rows only,
 * without bodies, channels, attempts or error texts (those may name upstreams).
 *
 * The key is found like the relay finds it (relay/auth.ts `findClientKey`: the configuration
 * snapshot, one hash for an unknown key, no database read before the key is known); then the key's
 * row is read again, so a key deleted or disabled a moment ago is answered as it is now. A missing,
 * unknown or deleted key gets 401 in the admin API's error shape; a disabled or expired one 403
 * naming its state (the caller holds the full secret, so the state tells them nothing new).
 *
 * No CORS headers: another origin's page cannot read the answer. Money in USD, times ms since epoch.
 */
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../app-env';
import type { SummaryCounters } from '../db/store';
import type { ApiKey } from '../db/types';
import type { ListedLog } from '../db/store';
import { currentConfig } from '../config/snapshot';
import { findClientKey } from '../relay/auth';
import { adminError, describeIssue } from './http';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Range presets of `range`, as lengths ending now. */
export const ME_RANGES = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY } as const;

/** Longest span with hourly buckets (about a quarter); longer ranges need `bucket=day`. */
export const ME_MAX_HOURLY_SPAN_MS = 93 * DAY;
/** Longest span of any query (about 13 months). */
export const ME_MAX_SPAN_MS = 400 * DAY;

/** Query of `GET /api/v1/me`. */
export const MeQuery = z.strictObject({
  /** A preset ending now; not together with `from`/`to`. Default (with neither): `24h`. */
  range: z.enum(['24h', '7d', '30d']).optional(),
  /** ms since epoch, inclusive (rounded down to the hour by the stats). */
  from: z.coerce.number().int().nonnegative().optional(),
  /** ms since epoch, exclusive; default: now. */
  to: z.coerce.number().int().positive().optional(),
  bucket: z.enum(['hour', 'day']).default('hour'),
  /** How many recent requests to list, newest first. */
  recent: z.coerce.number().int().min(0).max(100).default(20),
});

/** The key's state: 'active' keys are served by the relay, the others refused. */
export type KeyState = 'active' | 'disabled' | 'expired';

/** The state of `key` at `now` (ms). */
export function keyState(key: Pick<ApiKey, 'enabled' | 'expiresAt'>, now: number): KeyState {
  if (!key.enabled) return 'disabled';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** The counters a key holder sees (no attempt or channel counters). */
function usageView(c: Pick<SummaryCounters, 'requests' | 'successes' | 'inputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'outputTokens' | 'reasoningTokens' | 'costNanoUsd'>) {
  return {
    requests: c.requests, successes: c.successes, inputTokens: c.inputTokens, cacheReadTokens: c.cacheReadTokens,
    cacheWriteTokens: c.cacheWriteTokens, outputTokens: c.outputTokens, reasoningTokens: c.reasoningTokens, costUsd: c.costNanoUsd / 1e9,
  };
}
type UsageCounters = Parameters<typeof usageView>[0];

const ZERO: UsageCounters = { requests: 0, successes: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: 0 };

function add(a: UsageCounters, b: UsageCounters): UsageCounters {
  return {
    requests: a.requests + b.requests, successes: a.successes + b.successes, inputTokens: a.inputTokens + b.inputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens, cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    outputTokens: a.outputTokens + b.outputTokens, reasoningTokens: a.reasoningTokens + b.reasoningTokens, costNanoUsd: a.costNanoUsd + b.costNanoUsd,
  };
}

/** One recent request as its key holder sees it: no bodies, channel, attempts or error text. */
export function recentView(r: ListedLog) {
  const u = r.usage;
  return {
    id: r.id, time: r.time, group: r.groupName, model: r.upstreamModel, stream: r.stream, status: r.status, ok: r.ok,
    inputTokens: u?.input ?? 0, cacheReadTokens: u?.cacheRead ?? 0, cacheWriteTokens: u?.cacheWrite ?? 0,
    outputTokens: u?.output ?? 0, reasoningTokens: u?.reasoning ?? 0,
    costUsd: r.costNanoUsd / 1e9, latencyMs: r.latencyMs, ttftMs: r.ttftMs,
  };
}

/** The client key of the request: `Authorization: Bearer` or `x-api-key` only (a key in the URL ends up in logs). */
function presentedKey(c: Context<AppEnv>): string | null {
  const auth = c.req.header('authorization');
  const bearer = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1]?.trim() : undefined;
  return bearer || c.req.header('x-api-key')?.trim() || null;
}

/** The range asked for: [from, to) in ms, or a message saying what is wrong with it. */
function rangeOf(q: z.infer<typeof MeQuery>, now: number): { from: number; to: number } | string {
  if (q.range !== undefined && (q.from !== undefined || q.to !== undefined)) return 'range: give either range or from/to, not both';
  const to = q.to ?? now + 1;
  const from = q.from ?? to - ME_RANGES[q.range ?? '24h'];
  if (to <= from) return 'to: must be after from';
  if (to - from > ME_MAX_SPAN_MS) return `from: the range may span at most ${ME_MAX_SPAN_MS / DAY} days`;
  if (q.bucket === 'hour' && to - from > ME_MAX_HOURLY_SPAN_MS) return `bucket: hourly buckets span at most ${ME_MAX_HOURLY_SPAN_MS / DAY} days; use bucket=day`;
  return { from, to };
}

export function meRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => {
    const p = c.get('platform');
    c.header('cache-control', 'no-store');
    const found = await findClientKey(presentedKey(c), await currentConfig(p));
    if (found === 'missing') return adminError(c, 401, 'missing_api_key', 'No API key provided. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".');
    // Read again: the snapshot may be a few seconds behind a deletion or an edit of the key.
    const key = found === 'unknown' ? null : await p.store.getApiKey(found.id);
    if (!key) return adminError(c, 401, 'invalid_api_key', 'Invalid API key.');
    const now = p.now();
    const state = keyState(key, now);
    if (state !== 'active') {
      const message = state === 'disabled'
        ? `The key "${key.name}" is disabled: the gateway refuses its requests until the admin enables it again.`
        : `The key "${key.name}" expired on ${new Date(key.expiresAt!).toISOString()}: the gateway refuses its requests.`;
      return c.json({ error: { code: state === 'disabled' ? 'key_disabled' : 'key_expired', message }, key: { name: key.name, state, expiresAt: key.expiresAt } }, 403);
    }
    const q = MeQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const range = rangeOf(q.data, now);
    if (typeof range === 'string') return adminError(c, 400, 'invalid_request', range);
    const [allTime, rows, recent] = await Promise.all([
      p.store.keyUsage(key.id, 0, now + 1),
      p.store.statsSeries(range.from, range.to, q.data.bucket, 'model', { apiKeyId: key.id }),
      q.data.recent > 0 ? p.store.listLogs({ limit: q.data.recent, apiKeyId: key.id }) : Promise.resolve([]),
    ]);
    const byModel = new Map<string, UsageCounters>();
    let total = ZERO;
    for (const row of rows) {
      byModel.set(row.key, add(byModel.get(row.key) ?? ZERO, row));
      total = add(total, row);
    }
    const budgetUsd = key.budgetNanoUsd === null ? null : key.budgetNanoUsd / 1e9;
    return c.json({
      key: {
        name: key.name, prefix: key.keyPrefix, state, createdAt: key.createdAt, lastUsedAt: key.lastUsedAt,
        expiresAt: key.expiresAt, allowedGroups: key.allowedGroups,
      },
      limits: { rpm: key.rpmLimit, tpm: key.tpmLimit, budgetUsd },
      spent: {
        allTimeUsd: allTime.costNanoUsd / 1e9,
        remainingUsd: key.budgetNanoUsd === null ? null : Math.max(0, key.budgetNanoUsd - allTime.costNanoUsd) / 1e9,
        requests: allTime.requests,
      },
      range: { from: range.from, to: range.to, bucket: q.data.bucket },
      total: usageView(total),
      byModel: [...byModel].map(([model, u]) => ({ model, ...usageView(u) })).sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests),
      series: rows.map((row) => ({ bucket: row.bucket, model: row.key, ...usageView(row) })),
      recent: recent.map(recentView),
      note: 'Usage and requests appear when the gateway saves its stats (every minute by default).',
    });
  });
  return r;
}
