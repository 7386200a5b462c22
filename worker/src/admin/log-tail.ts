/**
 * `GET /api/v1/logs/tail`: the request logs as they happen, as server-sent events (issue 15.4).
 * A finished request's record waits in its group's holder (GroupObject on the edge, GroupHolder in
 * Node) until the stats save writes it to the database, up to `statsSaveIntervalSeconds` later; the
 * tail shows it within about a second instead.
 *
 * Every TAIL_POLL_MS the tail reads each group's unflushed records (`GroupStates.pending`: one
 * holder call per group, the unrouted holder included) and the database's newest rows of the last
 * TAIL_LOOKBACK_MS (a record flushed between two polls is found there), and sends each log it has
 * not sent yet, once: `event: log`, data = one row of `GET /api/v1/logs` (unflushed records priced
 * as the flush would price them). Only this endpoint pays: the relay path does nothing for it.
 *
 * The first poll sends the records still unflushed when the tail opened (the logs list, read from
 * the database, lacks them) and only marks the database rows seen. A comment line every
 * TAIL_HEARTBEAT_MS keeps proxies from closing an idle stream; after TAIL_MAX_LIFE_MS the stream
 * ends and the client (EventSource) reconnects. A client that goes away (the request's abort, or
 * the body's cancel) stops the polling at once.
 *
 * Known gap: a request running longer than TAIL_LOOKBACK_MS whose record is flushed within one
 * poll of its end is not sent (its row's time is its arrival); so is one lost among more than
 * TAIL_DB_ROWS newer rows of one flush. Both show in the logs list after a reload.
 */
import type { PendingRecord } from '../accounting/pending';
import { PriceCache } from '../accounting/price-cache';
import { priceRecords } from '../accounting/pricing';
import { recordMatches } from '../db/log-filter';
import { fromLogRow, toLogRow } from '../db/rows';
import type { ListedLog, LogFilter, Store } from '../db/store';
import type { AbortSource } from '../lib/abort';
import type { Platform } from '../platform';
import { UNROUTED_GROUP_ID } from '../relay/record';

/** How often the holders and the database are read, ms. */
export const TAIL_POLL_MS = 1_000;
/** How often a comment line is sent on a quiet stream, ms. */
export const TAIL_HEARTBEAT_MS = 15_000;
/** How long one stream lives before it ends (the client reconnects), ms. */
export const TAIL_MAX_LIFE_MS = 30 * 60_000;
/** How far back (request arrival time) unflushed records and database rows are looked at, ms. */
export const TAIL_LOOKBACK_MS = 10 * 60_000;
/** Newest database rows read per poll. */
export const TAIL_DB_ROWS = 200;
/** Ids remembered as sent (least recently seen forgotten first): bounds the tail's memory. */
export const TAIL_SEEN_MAX = 20_000;
/**
 * Most bytes of events waiting for a client that does not read (the response's queue; the socket
 * only takes what the client accepts). Past it the stream fails and the tail stops polling: a
 * stalled or vanished-without-FIN client would otherwise hold every log of the tail's 30 minutes.
 * An EventSource that is merely slow reconnects (`retry`) and carries on.
 */
export const TAIL_BACKLOG_MAX_BYTES = 1024 * 1024;
/** How often the group list is re-read (a new group's holder joins the polls), ms. */
const GROUPS_REFRESH_MS = 30_000;

/** Timings of one tail (tests shorten them). */
export interface TailTimings {
  pollMs: number;
  heartbeatMs: number;
  maxLifeMs: number;
}

/** One log row as `GET /api/v1/logs` lists it. */
export type LogRowView = ReturnType<typeof logRowView>;

/** A listed log as `GET /api/v1/logs` sends it: bodies out, `hasBodies`, cost in USD too. */
export function logRowView(r: ListedLog) {
  const { requestBody: _q, responseBody: _r, upstreamRequestBody: _u, ...rest } = r;
  return { ...rest, costUsd: r.costNanoUsd / 1e9, hasBodies: r.hasBodies };
}

/** An unflushed record in the shape the database would list it (through its row, as flushed). */
function asListed(r: PendingRecord): ListedLog {
  return { ...fromLogRow(toLogRow(r) as never), hasBodies: r.hasBodies };
}

/** Ids already sent; a Map keeps insertion order, and a sighting moves an id to the end. */
class SeenIds {
  private readonly ids = new Map<string, true>();
  constructor(private readonly max: number) {}

  /** Notes `id`; true when it was not known. */
  note(id: string): boolean {
    const known = this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.max) this.ids.delete(this.ids.keys().next().value!);
    return !known;
  }
}

/** Reads what changed since the last poll: the tail's state between polls. */
class TailReader {
  private readonly seen = new SeenIds(TAIL_SEEN_MAX);
  private readonly prices = new PriceCache();
  private groupIds: number[] = [];
  private groupsReadAt = -Infinity;
  private first = true;

  constructor(private readonly p: Platform, private readonly filter: LogFilter, private readonly openedAt: number) {}

  /** The logs not sent yet, oldest first (a client prepending each keeps the newest on top). */
  async poll(): Promise<LogRowView[]> {
    const now = this.p.now();
    const since = Math.max(this.filter.from ?? 0, Math.min(this.openedAt, now) - TAIL_LOOKBACK_MS);
    // The database before the holders: a record flushed in between is in neither read, and the
    // next poll's database read finds it (read the other way round, the first poll, which only
    // marks database rows seen, would lose it).
    const rows = await this.p.store.listLogs({ limit: TAIL_DB_ROWS, ...this.filter, from: Math.max(this.filter.from ?? 0, now - TAIL_LOOKBACK_MS) });
    const holders = await this.readHolders(now, since);
    const fresh: ListedLog[] = [];
    for (const r of holders) if (this.seen.note(r.id)) fresh.push(r);
    for (const r of rows) if (this.seen.note(r.id) && !this.first) fresh.push(r);
    this.first = false;
    fresh.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return fresh.map(logRowView);
  }

  /** Every polled group's unflushed records that pass the filter, priced, as listed rows. */
  private async readHolders(now: number, since: number): Promise<ListedLog[]> {
    if (now - this.groupsReadAt >= GROUPS_REFRESH_MS) {
      const groups = await this.p.store.listGroups();
      const name = this.filter.groupName;
      // Unrouted records carry the model asked for as their group name: always read that holder.
      this.groupIds = [UNROUTED_GROUP_ID, ...groups.filter((g) => name === undefined || g.name === name).map((g) => g.id)];
      this.groupsReadAt = now;
    }
    const lists = await Promise.all(this.groupIds.map((id) => this.p.groups.pending(id, since).catch(() => [] as PendingRecord[])));
    const matched = lists.flat().filter((r) => recordMatches(r, this.filter));
    if (matched.length === 0) return [];
    let priced: PendingRecord[] = matched;
    try {
      const sources = await this.prices.get(this.p.store, now);
      priced = priceRecords(matched, sources) as PendingRecord[];
    } catch {
      // No prices now: the rows go out at cost 0, as they are before their flush.
    }
    return priced.map(asListed);
  }
}

const utf8 = new TextEncoder();

/** The open tails' end functions, per store (one gateway instance): a graceful stop ends them. */
const openTails = new WeakMap<Store, Set<() => void>>();

/**
 * Open tails one gateway instance (a Node process, a Worker isolate) serves at once. Each polls the
 * database and every group's holder once a second (on the Worker, one Durable Object call per
 * group), so a page left open in many tabs, or a script, would otherwise multiply that cost.
 */
export const MAX_OPEN_TAILS = 16;

/** How many tails the gateway whose store is `store` has open now. */
export function openTailCount(store: Store): number {
  return openTails.get(store)?.size ?? 0;
}

/**
 * Ends every open tail of the gateway whose store is `store` (its streams close cleanly, and the
 * clients reconnect elsewhere or later): a server's graceful stop calls this first, since a tail
 * would otherwise hold its connection open until the shutdown cap.
 */
export function endLogTails(store: Store): void {
  for (const end of [...(openTails.get(store) ?? [])]) end();
}

/**
 * The tail's response: a `text/event-stream` whose body polls until the client goes away
 * (`signal` aborts or the body is cancelled) or `timings.maxLifeMs` passes.
 */
export function logTailResponse(p: Platform, filter: LogFilter, signal: AbortSource | undefined, timings: TailTimings = { pollMs: TAIL_POLL_MS, heartbeatMs: TAIL_HEARTBEAT_MS, maxLifeMs: TAIL_MAX_LIFE_MS }): Response {
  const openedAt = p.now();
  const reader = new TailReader(p, filter, openedAt);
  let stopped = false;
  let wake: (() => void) | null = null;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  const sleep = (ms: number) => new Promise<void>((ok) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake = null;
      ok();
    }
    wake = done;
  });

  let tails = openTails.get(p.store);
  if (!tails) openTails.set(p.store, (tails = new Set()));
  const registry = tails;
  let end: () => void = stop;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      end = () => {
        const was = stopped;
        stop();
        if (was) return;
        try {
          controller.close();
        } catch {
          // already cancelled
        }
      };
      registry.add(end);
      const send = (text: string) => {
        if (stopped) return;
        try {
          controller.enqueue(utf8.encode(text));
        } catch {
          stop(); // the stream was cancelled under us
          return;
        }
        // desiredSize = highWaterMark − queued bytes: how far the client is behind.
        if ((controller.desiredSize ?? 0) < -TAIL_BACKLOG_MAX_BYTES) {
          p.logger.warn('log tail ended: the client is not reading', { queuedBytes: TAIL_BACKLOG_MAX_BYTES - (controller.desiredSize ?? 0) });
          stop();
          // error() drops the queue at once (close() would keep it until the client read it all).
          controller.error(new Error('log tail: the client is not reading'));
        }
      };
      signal?.addEventListener('abort', stop, { once: true });
      if (signal?.aborted) stop();
      void (async () => {
        // `retry`: how long an EventSource waits before reconnecting, ms.
        send(': live tail of request logs\nretry: 2000\n\n');
        let beatAt = p.now();
        while (!stopped && p.now() - openedAt < timings.maxLifeMs) {
          try {
            for (const row of await reader.poll()) send(`event: log\ndata: ${JSON.stringify(row)}\n\n`);
          } catch (err) {
            p.logger.warn('log tail poll failed', { error: String(err).slice(0, 300) });
          }
          if (p.now() - beatAt >= timings.heartbeatMs) {
            send(': keep-alive\n\n');
            beatAt = p.now();
          }
          if (!stopped) await sleep(timings.pollMs);
        }
        signal?.removeEventListener('abort', stop);
        registry.delete(end);
        end();
      })();
    },
    cancel() {
      stop();
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx and similar buffer responses by default; an event stream must go out as written.
      'x-accel-buffering': 'no',
    },
  });
}
