/**
 * `/api/v1/logs` (request logs, newest first, with filters and paging) and
 * `/api/v1/stats/summary` (totals and an hourly series over a time range). Money in USD here;
 * the database keeps integer nano-USD.
 */
import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../app-env';
import type { RequestRecord, StatsDelta } from '../accounting/records';
import { adminError, describeIssue } from './http';

/** Query of `GET /api/v1/logs` (also used by the OpenAPI document, worker/openapi). */
export const LogQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Page: logs strictly older than this time (ms), i.e. the `time` of the last row of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  group: z.string().max(200).optional(),
  keyId: z.coerce.number().int().positive().optional(),
  channelId: z.coerce.number().int().positive().optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
});

/** Query of `GET /api/v1/stats`. */
export const SeriesQuery = z.object({
  /** ms since epoch; default: the start of today (UTC). */
  from: z.coerce.number().int().nonnegative().optional(),
  /** ms since epoch, exclusive; default: now. */
  to: z.coerce.number().int().positive().optional(),
  bucket: z.enum(['hour', 'day']).default('hour'),
  by: z.enum(['group', 'channel', 'model', 'key']).optional(),
});

/** Query of `GET /api/v1/stats/summary`. */
export const RangeQuery = z.object({
  /** ms since epoch; default: the start of today (UTC). */
  from: z.coerce.number().int().nonnegative().optional(),
  /** ms since epoch, exclusive; default: now. */
  to: z.coerce.number().int().positive().optional(),
});

/** A log row for the list: bodies left out (they can be large), `hasBodies` says whether there are any. */
function logView(r: RequestRecord) {
  const { requestBody, responseBody, ...rest } = r;
  return { ...rest, costUsd: r.costNanoUsd / 1e9, hasBodies: requestBody != null || responseBody != null };
}

/** One log in full: bodies are strings when the "log bodies" setting was on for the request, else null. */
function logDetailView(r: RequestRecord) {
  return { ...logView(r), requestBody: r.requestBody ?? null, responseBody: r.responseBody ?? null };
}

/** The range asked for, defaulting to today (UTC) up to now; ms since epoch, `to` exclusive. */
function rangeOf(q: { from?: number; to?: number }, now: number): { from: number; to: number } {
  return { from: q.from ?? Math.floor(now / 86_400_000) * 86_400_000, to: q.to ?? now + 1 };
}

/** Zero totals for a range without traffic (the dashboard shows 0, not a missing value). */
function emptyTotal(hour: number): StatsDelta {
  return {
    hour, groupName: '', channelId: 0, upstreamModel: '', apiKeyId: 0, requests: 0, successes: 0, failures: 0, inputTokens: 0,
    cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: 0, latencyMsTotal: 0, ttftMsTotal: 0,
  };
}

function statsView(d: StatsDelta | null) {
  if (!d) return null;
  const { groupName: _g, channelId: _c, upstreamModel: _m, apiKeyId: _k, ...rest } = d;
  return { ...rest, costUsd: d.costNanoUsd / 1e9, successRate: d.requests ? d.successes / d.requests : null };
}

export function statsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/logs', async (c) => {
    const q = LogQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const { limit, before, group, keyId, channelId, status } = q.data;
    const rows = await c.get('platform').store.listLogs({ limit, before, groupName: group, apiKeyId: keyId, channelId, status });
    return c.json({ data: rows.map(logView), next: rows.length === limit ? rows.at(-1)!.time : null });
  });

  r.get('/logs/:id', async (c) => {
    const log = await c.get('platform').store.getLog(c.req.param('id'));
    return log ? c.json(logDetailView(log)) : adminError(c, 404, 'not_found', `No request log with id ${c.req.param('id')}.`);
  });

  /** Series over [from, to) by hour or UTC day, optionally broken down by group, channel, model or key. */
  r.get('/stats', async (c) => {
    const q = SeriesQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const { from, to } = rangeOf(q.data, c.get('platform').now());
    const { bucket, by } = q.data;
    if (to <= from) return adminError(c, 400, 'invalid_request', 'to: must be after from');
    const rows = await c.get('platform').store.statsSeries(from, to, bucket, by);
    return c.json({ from, to, bucket, by: by ?? null, data: rows.map((r) => ({ ...r, costUsd: r.costNanoUsd / 1e9 })) });
  });

  r.get('/stats/summary', async (c) => {
    const q = RangeQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const { from, to } = rangeOf(q.data, c.get('platform').now());
    if (to <= from) return adminError(c, 400, 'invalid_request', 'to: must be after from');
    const { total, hours } = await c.get('platform').store.statsSummary(from, to);
    // `total.hour` is the range's start with or without traffic (the store's sum has no hour of its own).
    return c.json({ from, to, total: statsView({ ...(total ?? emptyTotal(from)), hour: from }), hours: hours.map(statsView) });
  });

  return r;
}
