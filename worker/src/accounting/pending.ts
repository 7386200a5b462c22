/**
 * Reading the records a group's holder has not flushed yet, for the admin live tail
 * (admin/log-tail.ts, `GET /api/v1/logs/tail`). Only the tail calls this: the relay path never
 * does, so a request pays nothing for it. Pure.
 */
import type { RequestRecord } from './records';

/** An unflushed record as a log list shows it: bodies left out, `hasBodies` says whether it has any (as db/store.ts ListedLog). */
export type PendingRecord = RequestRecord & { hasBodies: boolean };

/** Most records one `GroupStates.pending` call returns (the newest), so a big buffer is never copied whole. */
export const PENDING_READ_MAX = 200;

/** A record without its bodies (`requestBody`, `responseBody`, `upstreamRequestBody`): what a log list shows. */
export function withoutBodies(r: RequestRecord): PendingRecord {
  const { requestBody, responseBody, upstreamRequestBody: _u, ...rest } = r;
  return { ...rest, hasBodies: requestBody != null || responseBody != null };
}

/**
 * The newest records of `sources` (each in any order) with `time >= sinceMs`, newest first
 * (time, then id, descending, as `Store.listLogs` orders), at most `max`, bodies left out.
 * @param sinceMs ms since epoch, inclusive (a record's `time` is its request's arrival).
 */
export function newestPending(sources: Iterable<readonly RequestRecord[]>, sinceMs: number, max = PENDING_READ_MAX): PendingRecord[] {
  const out: RequestRecord[] = [];
  for (const list of sources) for (const r of list) if (r.time >= sinceMs) out.push(r);
  out.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return out.slice(0, max).map(withoutBodies);
}
