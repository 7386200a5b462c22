/**
 * `/api/v1/logs` (request logs, newest first, with filters and paging) and
 * `/api/v1/stats/summary` (totals, an hourly series, the request/attempt breakdown and per-channel
 * attempts over a time range: admin/summary.ts). Money in USD here;
 * the database keeps integer nano-USD.
 */
import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../app-env';
import type { RequestRecord, StatsDelta } from '../accounting/records';
import type { LogFilter, StatusRange, SummaryCounters } from '../db/store';
import { csvRecord, type CsvCell } from '../lib/csv';
import { assembleLoggedStream } from './assembled-stream';
import { adminError, describeIssue } from './http';
import { breakdownOf, channelSummaryOf } from './summary';
import { logTailResponse, MAX_OPEN_TAILS, openTailCount } from './log-tail';
import { clientSignalOf } from '../relay/client-signal';

/** A status list: exact codes and classes, comma-separated (`429,5xx`). */
const STATUS_LIST = /^\s*[1-5](?:\d\d|xx)\s*(?:,\s*[1-5](?:\d\d|xx)\s*){0,19}$/i;

/** Filters of `GET /api/v1/logs` and `GET /api/v1/logs.csv` (also used by the OpenAPI document). */
export const LogFilterQuery = z.object({
  /** Free text: a request id (exact), or part of a group name, upstream model or error (any case). */
  q: z.string().trim().max(200).optional(),
  /** ms since epoch, inclusive. */
  from: z.coerce.number().int().nonnegative().optional(),
  /** ms since epoch, exclusive. */
  to: z.coerce.number().int().positive().optional(),
  /** `1`: only failed requests (non-2xx status, or an error after a 200 such as a broken stream). */
  errors: z.enum(['0', '1', 'true', 'false']).optional(),
  group: z.string().max(200).optional(),
  keyId: z.coerce.number().int().positive().optional(),
  /** Any attempt of the request was on this channel (a channel that failed over is found too). */
  channelId: z.coerce.number().int().positive().optional(),
  /** Statuses and classes, comma-separated: `429`, `4xx`, `429,5xx`. */
  status: z.string().max(200).regex(STATUS_LIST, 'a comma-separated list of statuses (429) or classes (4xx)').optional(),
});

/** Query of `GET /api/v1/logs`. */
export const LogQuery = LogFilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** Page: logs strictly older than this time (ms), i.e. the `next` of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  /** With `before`: the `nextId` of the previous page, so rows sharing its millisecond are not skipped. */
  beforeId: z.string().min(1).max(100).optional(),
});

/** Rows `GET /api/v1/logs.csv` writes at most (newest first); `x-oe-truncated: 1` says more matched. */
export const CSV_MAX_ROWS = 10_000;

/** `429,5xx` as status ranges ({429..429}, {500..599}); the string passed STATUS_LIST. */
function statusRanges(list: string): StatusRange[] {
  return list.split(',').map((part) => {
    const p = part.trim().toLowerCase();
    if (p.endsWith('xx')) {
      const base = Number(p[0]) * 100;
      return { min: base, max: base + 99 };
    }
    return { min: Number(p), max: Number(p) };
  });
}

/** The store filter of a parsed filter query. */
function logFilterOf(q: z.infer<typeof LogFilterQuery>): LogFilter {
  return {
    groupName: q.group, apiKeyId: q.keyId, channelId: q.channelId, from: q.from, to: q.to,
    statuses: q.status ? statusRanges(q.status) : undefined,
    errorsOnly: q.errors === '1' || q.errors === 'true',
    text: q.q || undefined,
  };
}

/** Columns of the CSV export (no bodies); money in USD, times as ms and ISO 8601 UTC. */
const CSV_HEADER = [
  'id', 'time', 'time_ms', 'group', 'api_key_id', 'channel_id', 'attempted_channel_ids', 'upstream_model', 'protocol_in',
  'protocol_out', 'stream', 'status', 'ok', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens',
  'reasoning_tokens', 'cost_usd', 'latency_ms', 'ttft_ms', 'error',
];

function csvRow(r: RequestRecord): CsvCell[] {
  const u = r.usage;
  return [
    r.id, new Date(r.time).toISOString(), r.time, r.groupName, r.apiKeyId || null, r.channelId || null,
    [...new Set(r.attempts.map((a) => a.channelId))].join(' '), r.upstreamModel, r.protocolIn, r.protocolOut, r.stream,
    r.status, r.ok, u?.input ?? 0, u?.cacheRead ?? 0, u?.cacheWrite ?? 0, u?.output ?? 0, u?.reasoning ?? 0,
    r.costNanoUsd / 1e9, r.latencyMs, r.ttftMs, r.error,
  ];
}

/** Query of `GET /api/v1/stats`. */
export const SeriesQuery = z.object({
  /** ms since epoch; default: the start of today (UTC). */
  from: z.coerce.number().int().nonnegative().optional(),
  /** ms since epoch, exclusive; default: now. */
  to: z.coerce.number().int().positive().optional(),
  bucket: z.enum(['hour', 'day']).default('hour'),
  by: z.enum(['group', 'channel', 'model', 'key']).optional(),
  /** Only this client key's rows (e.g. its cost by model over time). */
  keyId: z.coerce.number().int().positive().optional(),
  /** Only this group's rows (exact name). */
  group: z.string().min(1).max(200).optional(),
});

/** Query of `GET /api/v1/stats/summary`. */
export const RangeQuery = z.object({
  /** ms since epoch; default: the start of today (UTC). */
  from: z.coerce.number().int().nonnegative().optional(),
  /** ms since epoch, exclusive; default: now. */
  to: z.coerce.number().int().positive().optional(),
});

/** A log row for the list: bodies left out (they can be large), `hasBodies` says whether there are any. */
function logView(r: RequestRecord & { hasBodies?: boolean }) {
  const { requestBody, responseBody, upstreamRequestBody: _sent, hasBodies, ...rest } = r;
  // A listed row carries `hasBodies` from the store (its bodies are not read); a full one has them.
  return { ...rest, costUsd: r.costNanoUsd / 1e9, hasBodies: hasBodies ?? (requestBody != null || responseBody != null) };
}

/**
 * One log in full: bodies are strings when the "log bodies" setting was on for the request, else
 * null. A streamed answer also comes assembled (`responseAssembled`: text, reasoning, tool calls,
 * finish, read from the raw events by the inbound protocol's decoder); null otherwise.
 */
function logDetailView(r: RequestRecord) {
  const responseAssembled = r.stream && r.responseBody ? assembleLoggedStream(r.protocolIn, r.responseBody) : null;
  return { ...logView(r), requestBody: r.requestBody ?? null, responseBody: r.responseBody ?? null, upstreamRequestBody: r.upstreamRequestBody ?? null, responseAssembled };
}

/** The range asked for, defaulting to today (UTC) up to now; ms since epoch, `to` exclusive. */
function rangeOf(q: { from?: number; to?: number }, now: number): { from: number; to: number } {
  return { from: q.from ?? Math.floor(now / 86_400_000) * 86_400_000, to: q.to ?? now + 1 };
}

/** Zero totals for a range without traffic (the dashboard shows 0, not a missing value). */
function emptyTotal(hour: number): StatsDelta & SummaryCounters {
  return {
    hour, groupName: '', channelId: 0, upstreamModel: '', apiKeyId: 0, requests: 0, successes: 0, failures: 0, inputTokens: 0,
    cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, costNanoUsd: 0, latencyMsTotal: 0, ttftMsTotal: 0,
    attempts: 0, failedAttempts: 0, clientErrors: 0, upstreamErrors: 0, rescues: 0, untrackedRequests: 0, untrackedSuccesses: 0, untrackedFailures: 0,
  };
}

function statsView(d: StatsDelta & SummaryCounters) {
  const { groupName: _g, channelId: _c, upstreamModel: _m, apiKeyId: _k, ...rest } = d;
  return { ...rest, costUsd: d.costNanoUsd / 1e9, successRate: d.requests ? d.successes / d.requests : null };
}

export function statsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/logs', async (c) => {
    const q = LogQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const { limit, before, beforeId } = q.data;
    const rows = await c.get('platform').store.listLogs({ limit, before, beforeId, ...logFilterOf(q.data) });
    const last = rows.length === limit ? rows.at(-1)! : null;
    return c.json({ data: rows.map(logView), next: last?.time ?? null, nextId: last?.id ?? null });
  });

  /** The logs matching the filters as CSV, newest first, at most CSV_MAX_ROWS (read a page at a time). */
  r.get('/logs.csv', async (c) => {
    const q = LogFilterQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const filter = logFilterOf(q.data);
    const store = c.get('platform').store;
    const parts = [csvRecord(CSV_HEADER)];
    let count = 0;
    let page: { before?: number; beforeId?: string } = {};
    let truncated = false;
    for (;;) {
      const limit = Math.min(500, CSV_MAX_ROWS - count);
      const rows = await store.listLogs({ limit, ...page, ...filter });
      for (const row of rows) parts.push(csvRecord(csvRow(row)));
      count += rows.length;
      if (rows.length < limit) break;
      const last = rows.at(-1)!;
      page = { before: last.time, beforeId: last.id };
      if (count >= CSV_MAX_ROWS) {
        truncated = (await store.listLogs({ limit: 1, ...page, ...filter })).length > 0;
        break;
      }
    }
    const name = `logs-${new Date(c.get('platform').now()).toISOString().slice(0, 19).replace(/:/g, '-')}Z.csv`;
    return c.body(parts.join(''), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
      ...(truncated ? { 'x-oe-truncated': '1' } : {}),
    });
  });

  /** New request logs as server-sent events, flushed or not (log-tail.ts); same filters as `/logs`. */
  r.get('/logs/tail', (c) => {
    const q = LogFilterQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    if (openTailCount(c.get('platform').store) >= MAX_OPEN_TAILS) {
      return adminError(c, 429, 'too_many_tails', `${MAX_OPEN_TAILS} live tails are open already; close one (another tab or window) and try again.`, { 'retry-after': '5' });
    }
    return logTailResponse(c.get('platform'), logFilterOf(q.data), clientSignalOf(c));
  });

  r.get('/logs/:id', async (c) => {
    const log = await c.get('platform').store.getLog(c.req.param('id'));
    return log ? c.json(logDetailView(log)) : adminError(c, 404, 'not_found', `No request log with id ${c.req.param('id')}.`);
  });

  /** Series over [from, to) by hour or UTC day, optionally broken down by group, channel, model or key, optionally of one key and/or group. */
  r.get('/stats', async (c) => {
    const q = SeriesQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const { from, to } = rangeOf(q.data, c.get('platform').now());
    const { bucket, by, keyId, group } = q.data;
    if (to <= from) return adminError(c, 400, 'invalid_request', 'to: must be after from');
    const rows = await c.get('platform').store.statsSeries(from, to, bucket, by, { apiKeyId: keyId, groupName: group });
    return c.json({ from, to, bucket, by: by ?? null, keyId: keyId ?? null, group: group ?? null, data: rows.map((r) => ({ ...r, costUsd: r.costNanoUsd / 1e9 })) });
  });

  r.get('/stats/summary', async (c) => {
    const q = RangeQuery.safeParse(c.req.query());
    if (!q.success) return adminError(c, 400, 'invalid_request', describeIssue(q.error));
    const { from, to } = rangeOf(q.data, c.get('platform').now());
    if (to <= from) return adminError(c, 400, 'invalid_request', 'to: must be after from');
    const { total, hours, channels } = await c.get('platform').store.statsSummary(from, to);
    // `total.hour` is the range's start with or without traffic (the store's sum has no hour of its own).
    const sum = { ...(total ?? emptyTotal(from)), hour: from };
    return c.json({
      from, to, total: statsView(sum), hours: hours.map(statsView),
      breakdown: breakdownOf(sum), channels: channels.map(channelSummaryOf),
    });
  });

  return r;
}
