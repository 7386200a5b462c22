/**
 * The stats flush, written once for every runtime: the group Durable Object (buffer in its own
 * storage) and Node's in-process group holder (buffer in memory) each provide a `FlushBuffer`;
 * `drainBuffer` moves records from it into the database with the exactly-once protocol below.
 *
 * Protocol: a batch is first taken from the buffer into a *pending flush* with a fresh id (one
 * atomic step of the buffer), then priced and written to the database together with that id
 * (`Store.applyFlush`). A database failure keeps the pending flush and the next drain retries it
 * with the same id, so it never counts twice and is never dropped; a replayed flush is recognised
 * by its id and changes nothing. No web framework, Cloudflare or Node import here.
 */
import type { Store } from '../db/store';
import { loadSettings } from '../settings';
import { PriceCache } from './price-cache';
import { priceRecords } from './pricing';
import { aggregateStats, type RequestRecord } from './records';

/** Records per flush: a database batch stays small and quick. */
export const FLUSH_MAX_RECORDS = 200;
/** Longest wait before retrying a failed flush, ms. */
const MAX_RETRY_MS = 3_600_000;

/** A batch taken from the buffer and not yet confirmed by the database. `tries` counts failed writes. */
export interface PendingFlush {
  id: string;
  records: RequestRecord[];
  tries: number;
}

/** Where a runtime keeps records between a request's end and the flush. */
export interface FlushBuffer {
  /** The pending flush left by an earlier failed (or interrupted) drain, if any. */
  pending(): Promise<PendingFlush | undefined>;
  /**
   * Moves up to `max` of the oldest buffered records into a new pending flush with id `id`, in
   * one atomic step (a record is in the buffer or in the pending flush, never both, never neither).
   * @returns the new pending flush, or undefined when the buffer is empty.
   */
  takePending(id: string, max: number): Promise<PendingFlush | undefined>;
  /** Stores the pending flush again (its `tries` went up). */
  keepPending(flush: PendingFlush): Promise<void>;
  /** Forgets the pending flush once the database has it. */
  clearPending(): Promise<void>;
}

/** What a drain did: everything written, or stopped at a failed pending flush (kept for a retry). */
export type DrainResult = { ok: true; flushes: number } | { ok: false; flushes: number; failed: PendingFlush; error: unknown };

/**
 * How long a flush reuses the prices it loaded, ms: long enough for the batches of one drain, short
 * enough that a price edited in the dashboard prices the next flush (one query per flush is cheap).
 */
export const FLUSH_PRICE_CACHE_MS = 10_000;

/** Prices records at flush time (the price table lives in the database, not on the request path). */
export class FlushWriter {
  private readonly prices = new PriceCache(FLUSH_PRICE_CACHE_MS);

  /**
   * @param onApplied called with a flush's priced records once the database has applied them (not
   *   for a replayed duplicate, not on failure): metrics (node/metrics.ts) count what the stats
   *   count, exactly once, and cost nothing on the request path. Must not throw.
   */
  constructor(private readonly now: () => number = Date.now, private readonly onApplied?: (records: readonly RequestRecord[]) => void) {}

  /**
   * Writes one pending flush: prices, aggregates and applies it atomically with its id.
   * @throws when the database fails (nothing of the flush is written then).
   */
  async write(store: Store, flush: PendingFlush): Promise<'applied' | 'duplicate'> {
    const records = priceRecords(flush.records, await this.prices.get(store, this.now()));
    const result = await store.applyFlush(flush.id, this.now(), records, aggregateStats(records));
    if (result === 'applied') this.onApplied?.(records);
    return result;
  }
}

/** How `drainBuffer` paces a drain. */
export interface DrainOptions {
  /** A fresh flush id (default: a random UUID). */
  newId?: () => string;
  /**
   * Awaited between two flushes. Node passes a turn of the event loop: with a synchronous driver
   * (better-sqlite3) every `await` here resolves at once, so without it a drain of thousands of
   * records ran as one block and stalled every request meanwhile. The Worker passes a short timer
   * for the same reason (edge/group-object.ts FLUSH_PAUSE_MS).
   */
  pause?: () => Promise<void>;
  /** Most records in one flush, i.e. one database batch (default FLUSH_MAX_RECORDS). */
  maxRecords?: number;
}

/**
 * Writes the pending flush (if any), then the whole buffer in flushes of at most `maxRecords`
 * records, each its own pending flush with its own id (so each is applied exactly once on its own).
 * Never throws for a database failure: the failed flush stays pending with `tries + 1` and the
 * result says so (the flushes before it are written and stay written; the records after it stay
 * buffered); the caller schedules the retry (see `retryDelayMs`).
 * @throws only when the buffer itself fails.
 */
export async function drainBuffer(buffer: FlushBuffer, writer: FlushWriter, store: Store, opts: DrainOptions = {}): Promise<DrainResult> {
  const { newId = () => crypto.randomUUID(), pause, maxRecords = FLUSH_MAX_RECORDS } = opts;
  let flushes = 0;
  for (;;) {
    if (flushes > 0 && pause) await pause();
    const pending = (await buffer.pending()) ?? (await buffer.takePending(newId(), maxRecords));
    if (!pending) return { ok: true, flushes };
    try {
      await writer.write(store, pending);
    } catch (error) {
      const failed = { ...pending, tries: pending.tries + 1 };
      await buffer.keepPending(failed);
      return { ok: false, flushes, failed, error };
    }
    await buffer.clearPending();
    flushes += 1;
  }
}

/** Wait before retrying a flush that failed `tries` times, ms: the interval doubled per try, capped at an hour. */
export function retryDelayMs(intervalMs: number, tries: number): number {
  return Math.min(intervalMs * 2 ** Math.min(tries, 6), MAX_RETRY_MS);
}

/**
 * The "stats save interval" (settings `statsSaveIntervalSeconds`), ms. `overrideMs` (a positive
 * number) wins: tests use it to flush quickly without touching the settings.
 */
export async function flushIntervalMs(store: Store, overrideMs?: number): Promise<number> {
  if (overrideMs !== undefined && Number.isFinite(overrideMs) && overrideMs > 0) return overrideMs;
  return (await loadSettings(store)).statsSaveIntervalSeconds * 1000;
}
