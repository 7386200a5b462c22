/**
 * Prometheus metrics for Node mode (issue 14 item 9), with prom-client on a registry of our own
 * (never the library's global one, so two gateways in one process — tests — do not mix).
 *
 * When counters move: request, attempt, token, cost and latency metrics are counted from the
 * records a stats flush has just written (accounting/flusher.ts `onApplied`), so they agree with
 * the dashboard's stats exactly (a replayed flush is not counted twice, a failed one not at all)
 * and the request path pays nothing. They therefore advance at each stats save (the "stats save
 * interval" setting, 60 s by default, or earlier under load); `oe_buffered_records` shows what is
 * still waiting. Breaker states and buffered records are read at scrape time.
 *
 * Units: seconds for durations (Prometheus' convention), nano-USD for cost (integers, as stored),
 * tokens for tokens.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { requestOutcome, type RequestRecord } from '../accounting/records';
import type { BreakerPhase } from '../routing/breaker';
import type { ConfigSnapshot } from '../config/snapshot';

/** Names for labels, from the configuration snapshot; undefined for a deleted or unknown id. */
export interface MetricsNames {
  group(groupId: number): string | undefined;
  channel(channelId: number): string | undefined;
  /** The channel a member uses. */
  memberChannel(memberId: number): number | undefined;
}

/** What the metrics read at scrape time: the group holders (node/group-states.ts) and the names. */
export interface MetricsSource {
  /** The names as of the latest configuration; refreshed before each scrape. */
  names(): MetricsNames;
  /** Reloads the names when the configuration changed (the relay's own snapshot cache). */
  refresh(): Promise<void>;
  breakerPhases(): Promise<{ groupId: number; memberId: number; phase: BreakerPhase }[]>;
  unflushedByGroup(): { groupId: number; records: number }[];
}

/** A MetricsSource over the relay's configuration snapshot (config/snapshot.ts) and the holders. */
export function snapshotMetricsSource(groups: Pick<MetricsSource, 'breakerPhases' | 'unflushedByGroup'>, load: () => Promise<ConfigSnapshot>): MetricsSource {
  let names: MetricsNames = { group: () => undefined, channel: () => undefined, memberChannel: () => undefined };
  let version: string | undefined;
  return {
    names: () => names,
    async refresh() {
      const snap = await load();
      if (snap.version === version) return;
      version = snap.version;
      const groupNames = new Map(snap.groups.map((g) => [g.id, g.name]));
      const channels = new Map<number, string>();
      const memberChannels = new Map<number, number>();
      for (const route of snap.routes.values()) {
        for (const ch of route.channels.values()) channels.set(ch.id, ch.name);
        for (const m of route.group.members) memberChannels.set(m.id, m.channelId);
      }
      names = { group: (id) => groupNames.get(id), channel: (id) => channels.get(id), memberChannel: (id) => memberChannels.get(id) };
    },
    breakerPhases: () => groups.breakerPhases(),
    unflushedByGroup: () => groups.unflushedByGroup(),
  };
}

/** The breaker phase as a gauge value. */
const PHASE_VALUE: Record<BreakerPhase, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Latency buckets, seconds: a local model answers in ms, a long reasoning stream in minutes. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Time-to-first-token buckets, seconds. */
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/** The gateway's metrics; `applied` is handed to FlushWriter, `flushFailed` to the flush loop. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'group' | 'channel' | 'protocol' | 'stream' | 'status' | 'outcome'>;
  private readonly attempts: Counter<'group' | 'channel' | 'status'>;
  private readonly tokens: Counter<'group' | 'model' | 'kind'>;
  private readonly cost: Counter<'group' | 'model'>;
  private readonly duration: Histogram<'group' | 'stream'>;
  private readonly ttft: Histogram<'group'>;
  private readonly flushFailures: Counter<'group'>;

  constructor(private readonly source: MetricsSource) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'oe_requests_total', help: 'Client requests by group, final channel, inbound protocol, stream, HTTP status and outcome (succeeded, rescued, client_error, upstream_error, client_closed).', labelNames: ['group', 'channel', 'protocol', 'stream', 'status', 'outcome'], registers });
    this.attempts = new Counter({ name: 'oe_attempts_total', help: 'Upstream attempts by group, channel and upstream status (0: no answer).', labelNames: ['group', 'channel', 'status'], registers });
    this.tokens = new Counter({ name: 'oe_tokens_total', help: 'Tokens by group, upstream model and kind (input = not cached, cache_read, cache_write, output, reasoning = part of output).', labelNames: ['group', 'model', 'kind'], registers });
    this.cost = new Counter({ name: 'oe_cost_nano_usd_total', help: 'Cost in nano-USD (1e-9 USD) by group and upstream model, priced at flush time like the stats.', labelNames: ['group', 'model'], registers });
    this.duration = new Histogram({ name: 'oe_request_duration_seconds', help: 'Request time from arrival to the last byte, seconds.', labelNames: ['group', 'stream'], buckets: DURATION_BUCKETS, registers });
    this.ttft = new Histogram({ name: 'oe_time_to_first_token_seconds', help: 'Time to the first content token of streams, seconds.', labelNames: ['group'], buckets: TTFT_BUCKETS, registers });
    this.flushFailures = new Counter({ name: 'oe_flush_failures_total', help: 'Stats flushes the database refused (the records are kept and retried).', labelNames: ['group'], registers });
    const metrics = this;
    new Gauge({
      name: 'oe_breaker_state', help: 'Circuit breaker of a group member: 0 closed, 1 half-open, 2 open.', labelNames: ['group', 'channel', 'member'], registers,
      async collect() {
        this.reset();
        const names = metrics.source.names();
        for (const b of await metrics.source.breakerPhases()) {
          const channelId = names.memberChannel(b.memberId);
          this.set({ group: metrics.group(b.groupId), channel: channelId === undefined ? '(deleted)' : metrics.channel(channelId), member: String(b.memberId) }, PHASE_VALUE[b.phase]);
        }
      },
    });
    new Gauge({
      name: 'oe_buffered_records', help: 'Finished requests not yet written by a stats flush, per group.', labelNames: ['group'], registers,
      collect() {
        this.reset();
        for (const b of metrics.source.unflushedByGroup()) this.set({ group: metrics.group(b.groupId) }, b.records);
      },
    });
  }

  /** Counts the records a flush has written (priced: `costNanoUsd` is set). Never throws. */
  applied(records: readonly RequestRecord[]): void {
    try {
      for (const r of records) this.count(r);
    } catch {
      // Metrics must never fail a flush: a bad label value is dropped with its record.
    }
  }

  /** One failed flush of a group. */
  flushFailed(groupId: number): void {
    this.flushFailures.inc({ group: this.group(groupId) });
  }

  /** The exposition text and its content type (names refreshed first; a failed refresh keeps the old ones). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    await this.source.refresh().catch(() => undefined);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private group(id: number): string {
    return this.source.names().group(id) ?? `#${id}`;
  }

  private channel(id: number): string {
    if (id === 0) return '(none)';
    return this.source.names().channel(id) ?? `#${id}`;
  }

  private count(r: RequestRecord): void {
    const n = r.count ?? 1;
    const group = r.groupName;
    this.requests.inc({ group, channel: this.channel(r.channelId), protocol: r.protocolIn, stream: String(r.stream), status: String(r.status), outcome: requestOutcome(r) }, n);
    for (const a of r.attempts) this.attempts.inc({ group, channel: this.channel(a.channelId), status: String(a.status) });
    const model = r.upstreamModel;
    const u = r.usage;
    if (u) {
      if (u.input) this.tokens.inc({ group, model, kind: 'input' }, u.input);
      if (u.cacheRead) this.tokens.inc({ group, model, kind: 'cache_read' }, u.cacheRead);
      if (u.cacheWrite) this.tokens.inc({ group, model, kind: 'cache_write' }, u.cacheWrite);
      if (u.output) this.tokens.inc({ group, model, kind: 'output' }, u.output);
      if (u.reasoning) this.tokens.inc({ group, model, kind: 'reasoning' }, u.reasoning);
    }
    if (r.costNanoUsd > 0) this.cost.inc({ group, model }, r.costNanoUsd);
    // An aggregated refusal record carries the total latency of its `count` requests.
    const seconds = r.latencyMs / n / 1000;
    for (let i = 0; i < n; i++) this.duration.observe({ group, stream: String(r.stream) }, seconds);
    if (r.ttftMs !== null && r.stream) this.ttft.observe({ group }, r.ttftMs / 1000);
  }
}

/**
 * The `GET /metrics` answer: 404 when no metrics token is set (metrics off), 401 without
 * `Authorization: Bearer <token>` (compared in constant time over SHA-256 digests), else the
 * Prometheus text exposition format.
 */
export async function metricsResponse(req: Request, metrics: GatewayMetrics | undefined, token: string | undefined): Promise<Response> {
  const json = (status: number, message: string, extra: Record<string, string> = {}) =>
    new Response(JSON.stringify({ error: { message, type: status === 404 ? 'not_found' : 'authentication_error' } }), { status, headers: { 'content-type': 'application/json', ...extra } });
  if (!metrics || !token) return json(404, 'Metrics are off: set METRICS_TOKEN to turn them on.');
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1]?.trim() ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (!given || !timingSafeEqual(digest(given), digest(token))) return json(401, 'A metrics token is needed: Authorization: Bearer <METRICS_TOKEN>.', { 'www-authenticate': 'Bearer' });
  const { contentType, body } = await metrics.scrape();
  return new Response(body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}
