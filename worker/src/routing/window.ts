/**
 * Recent traffic of each member of a group, for the health view: success rate, latency and TTFT
 * percentiles over a bounded rolling window. Kept in memory by the group's holder (Durable Object
 * or Node GroupHolder) and fed by the finishes that already reach it: no storage, no extra call.
 * Node keeps it for the process's life. A Durable Object is evicted after a while without calls, so
 * it saves a snapshot ({@link HealthWindows.snapshot}) with a finish batch's storage write at most
 * every WINDOW_SAVE_MS and loads it at start: an eviction loses at most that long's attempts.
 *
 * Per member a ring of the last WINDOW_SIZE attempts in typed arrays, written in place: recording
 * an attempt is O(1) and allocates nothing. Reading (the admin poll, every few seconds) filters by
 * age (WINDOW_MAX_AGE_MS), sorts at most WINDOW_SIZE numbers per member and builds a sparse
 * log-bucket histogram that the admin layer can merge across groups (per-channel rollups).
 */
import type { RequestRecord } from '../accounting/records';
import type { RoutingReport } from './types';

/** Attempts kept per member. */
export const WINDOW_SIZE = 128;
/** Attempts older than this (ms) are left out of a summary: a member idle for a while shows no stale rate. */
export const WINDOW_MAX_AGE_MS = 15 * 60_000;
/** Members tracked per group; past it the least recently added member's window is dropped (members removed from the group). */
export const WINDOW_MAX_MEMBERS = 512;

/** Least time between two snapshots a Durable Object stores (ms): one more key in a finish batch's write, at most this often. */
export const WINDOW_SAVE_MS = 5_000;

/** One member's ring as stored: times (ms since epoch), kinds, whole times and TTFTs (-1: none), oldest first. */
export interface MemberWindowSnapshot {
  memberId: number;
  at: Float64Array;
  kind: Uint8Array;
  ms: Float32Array;
  ttft: Float32Array;
}

/** Histogram bucket i holds values in (LOWEST·F^(i-1), LOWEST·F^i] ms; bucket 0 holds everything up to LOWEST. */
const HIST_LOWEST_MS = 10;
const HIST_FACTOR = 1.15;
/** 10 ms · 1.15^90 ≈ 2.9 h: the last bucket holds anything slower. */
export const HIST_BUCKETS = 91;
const LOG_FACTOR = Math.log(HIST_FACTOR);

/** What one attempt was, for the window: ok; a channel fault other than a rate limit (5xx, 401/403, timeout, broken stream...); an upstream 429. */
export const SampleKind = { Ok: 0, Failed: 1, RateLimited: 2 } as const;
export type SampleKind = (typeof SampleKind)[keyof typeof SampleKind];

/**
 * Sparse log-bucket histogram, flat: `[bucket, count, bucket, count, ...]`, buckets ascending (a flat
 * number array crosses the Durable Object RPC as it is). Mergeable by adding counts;
 * {@link histPercentile} reads a percentile back within one bucket (±15 %).
 */
export type SparseHist = number[];

/** One member's recent traffic. Latency and TTFT are of successful attempts only; ms. */
export interface WindowSummary {
  /** Attempts in the window (at most WINDOW_SIZE, none older than WINDOW_MAX_AGE_MS). */
  samples: number;
  ok: number;
  failed: number;
  rateLimited: number;
  /** The most recent attempt's kind: 'ok' | 'failed' | 'rate-limited'; null when the window is empty. */
  last: 'ok' | 'failed' | 'rate-limited' | null;
  /** Whole answer time of successful attempts (a stream to its end), exact percentiles; null without a success. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Time to the first token of successful attempts that had one (streams), exact percentiles. */
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  /** The same latencies and TTFTs as histograms, for merging across groups. */
  latencyHist: SparseHist;
  ttftHist: SparseHist;
}

/** The histogram bucket of `ms` (0..HIST_BUCKETS-1). */
export function bucketOf(ms: number): number {
  if (!(ms > HIST_LOWEST_MS)) return 0;
  return Math.min(HIST_BUCKETS - 1, Math.ceil(Math.log(ms / HIST_LOWEST_MS) / LOG_FACTOR - 1e-9));
}

/** A representative value of bucket `i`, ms: its upper bound (bucket 0: HIST_LOWEST_MS). */
export function bucketValue(i: number): number {
  return Math.round(HIST_LOWEST_MS * HIST_FACTOR ** i);
}

/** Sparse histogram of bucket counts. */
function fromCounts(counts: Map<number, number>): SparseHist {
  const out: SparseHist = [];
  for (const i of [...counts.keys()].sort((x, y) => x - y)) out.push(i, counts.get(i)!);
  return out;
}

/** Adds `b` into `a` (both sparse); returns a new histogram. */
export function mergeHist(a: SparseHist, b: SparseHist): SparseHist {
  const counts = new Map<number, number>();
  for (const h of [a, b]) for (let k = 0; k + 1 < h.length; k += 2) counts.set(h[k]!, (counts.get(h[k]!) ?? 0) + h[k + 1]!);
  return fromCounts(counts);
}

/** The `q`-quantile (0..1) of a histogram as its bucket's value, ms; null when empty. */
export function histPercentile(h: SparseHist, q: number): number | null {
  let total = 0;
  for (let k = 1; k < h.length; k += 2) total += h[k]!;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let k = 0; k + 1 < h.length; k += 2) {
    seen += h[k + 1]!;
    if (seen >= rank) return bucketValue(h[k]!);
  }
  return bucketValue(h[h.length - 2]!);
}

/** Nearest-rank `q`-quantile of ascending `sorted`; null when empty. */
function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function sparse(values: Float64Array): SparseHist {
  const counts = new Map<number, number>();
  for (const v of values) {
    const b = bucketOf(v);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return fromCounts(counts);
}

const KIND_NAMES = ['ok', 'failed', 'rate-limited'] as const;

/** The last WINDOW_SIZE attempts of one member, in a ring. */
export class MemberWindow {
  private readonly at = new Float64Array(WINDOW_SIZE);
  private readonly kind = new Uint8Array(WINDOW_SIZE);
  private readonly ms = new Float64Array(WINDOW_SIZE);
  /** -1: no first token (not a stream, or not a success). */
  private readonly ttft = new Float64Array(WINDOW_SIZE);
  private next = 0;
  private size = 0;

  /** Records one attempt ending at `now` (ms since epoch). O(1), no allocation. */
  add(now: number, kind: SampleKind, ms: number, ttftMs: number | null): void {
    const i = this.next;
    this.at[i] = now;
    this.kind[i] = kind;
    this.ms[i] = ms;
    this.ttft[i] = ttftMs ?? -1;
    this.next = (i + 1) % WINDOW_SIZE;
    if (this.size < WINDOW_SIZE) this.size++;
  }

  /** The ring's attempts, oldest first, for storage. */
  snapshot(memberId: number): MemberWindowSnapshot {
    const out = { memberId, at: new Float64Array(this.size), kind: new Uint8Array(this.size), ms: new Float32Array(this.size), ttft: new Float32Array(this.size) };
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + WINDOW_SIZE) % WINDOW_SIZE;
      out.at[k] = this.at[i]!;
      out.kind[k] = this.kind[i]!;
      out.ms[k] = this.ms[i]!;
      out.ttft[k] = this.ttft[i]!;
    }
    return out;
  }

  /** The window at `now`: attempts newer than WINDOW_MAX_AGE_MS. */
  summary(now: number): WindowSummary {
    const since = now - WINDOW_MAX_AGE_MS;
    const counts = [0, 0, 0];
    const lat: number[] = [];
    const first: number[] = [];
    let last: WindowSummary['last'] = null;
    // Oldest to newest, so `last` ends as the newest kept attempt.
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + WINDOW_SIZE) % WINDOW_SIZE;
      if (this.at[i]! <= since) continue;
      const kind = this.kind[i]!;
      counts[kind]!++;
      last = KIND_NAMES[kind]!;
      if (kind === SampleKind.Ok) {
        lat.push(this.ms[i]!);
        if (this.ttft[i]! >= 0) first.push(this.ttft[i]!);
      }
    }
    const latSorted = Float64Array.from(lat).sort();
    const ttftSorted = Float64Array.from(first).sort();
    const round = (v: number | null) => (v === null ? null : Math.round(v));
    return {
      samples: counts[0]! + counts[1]! + counts[2]!, ok: counts[0]!, failed: counts[1]!, rateLimited: counts[2]!, last,
      latencyP50Ms: round(quantile(latSorted, 0.5)), latencyP95Ms: round(quantile(latSorted, 0.95)),
      ttftP50Ms: round(quantile(ttftSorted, 0.5)), ttftP95Ms: round(quantile(ttftSorted, 0.95)),
      latencyHist: sparse(latSorted), ttftHist: sparse(ttftSorted),
    };
  }
}

/** The windows of one group's members, by member id. */
export class HealthWindows {
  private readonly byMember = new Map<number, MemberWindow>();

  /**
   * Folds one finished request into its members' windows. Successes carry the whole answer time
   * and the time to first token of their own attempt (the record's times run from the request's
   * arrival, so earlier failed attempts' time is taken off); channel faults count as failed, or
   * rate limited for a 429; client faults and client aborts say nothing about the member and are
   * left out. Without a record (a report alone) a success's latency is its attempt time.
   */
  observe(report: RoutingReport, record: Pick<RequestRecord, 'latencyMs' | 'ttftMs'> | undefined, now: number): void {
    let before = 0;
    for (const o of report.outcomes) {
      if (o.kind === 'ok') {
        const latency = record ? Math.max(o.ms, record.latencyMs - before) : o.ms;
        const ttft = record?.ttftMs != null ? Math.max(0, record.ttftMs - before) : null;
        this.window(o.memberId).add(now, SampleKind.Ok, latency, ttft);
      } else if (o.kind === 'channel') {
        this.window(o.memberId).add(now, o.status === 429 ? SampleKind.RateLimited : SampleKind.Failed, o.ms, null);
      }
      before += o.ms;
    }
  }

  /** Every member's ring, for storage (a Durable Object's snapshot; see the module doc). */
  snapshot(): MemberWindowSnapshot[] {
    return [...this.byMember].map(([id, w]) => w.snapshot(id));
  }

  /** Windows from a stored snapshot; unreadable entries are skipped (a bad snapshot only loses the history). */
  static from(saved: unknown): HealthWindows {
    const ws = new HealthWindows();
    if (!Array.isArray(saved)) return ws;
    for (const m of saved as Partial<MemberWindowSnapshot>[]) {
      if (!m || typeof m.memberId !== 'number' || !m.at || !m.kind || !m.ms || !m.ttft) continue;
      const w = ws.window(m.memberId);
      const n = Math.min(m.at.length, m.kind.length, m.ms.length, m.ttft.length);
      for (let k = Math.max(0, n - WINDOW_SIZE); k < n; k++) {
        const kind = m.kind[k]!;
        if (kind > SampleKind.RateLimited) continue;
        w.add(m.at[k]!, kind as SampleKind, m.ms[k]!, m.ttft[k]! >= 0 ? m.ttft[k]! : null);
      }
    }
    return ws;
  }

  /** Every tracked member's summary at `now`, by member id (members with an empty window left out). */
  summaries(now: number): Record<string, WindowSummary> {
    const out: Record<string, WindowSummary> = {};
    for (const [id, w] of this.byMember) {
      const s = w.summary(now);
      if (s.samples > 0) out[id] = s;
    }
    return out;
  }

  private window(memberId: number): MemberWindow {
    let w = this.byMember.get(memberId);
    if (!w) {
      if (this.byMember.size >= WINDOW_MAX_MEMBERS) this.byMember.delete(this.byMember.keys().next().value!);
      w = new MemberWindow();
      this.byMember.set(memberId, w);
    }
    return w;
  }
}
