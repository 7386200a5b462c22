/**
 * Requests refused before their client key was accepted (no key, unknown, disabled or expired key)
 * cost an attacker nothing, so they must cost the gateway almost nothing too: no body is read, and
 * instead of a log row and a stats row per request, each instance counts them per reason and
 * protocol for AGGREGATE_WINDOW_MS and then hands one record over for the whole window (`count`
 * requests, latency summed). Stats thus get one row per hour and reason (group name '' and the
 * reason as the model: never a name a client chose), and the log at most one row per reason and
 * window per instance, without bodies.
 */
import type { Store } from '../db/store';
import type { ProtocolName } from '../protocols/canonical';
import type { Platform } from '../platform';
import type { RequestRecord } from '../accounting/records';
import type { AuthRefusal } from './auth';
import { UNROUTED_GROUP_ID } from './record';

/** How long refusals are counted before their record is handed over, ms. */
export const AGGREGATE_WINDOW_MS = 2_000;

interface Tally {
  reason: AuthRefusal;
  protocolIn: ProtocolName;
  /** ms of the first refusal in the window. */
  first: number;
  count: number;
  latencyMsTotal: number;
  stream: boolean;
}

/** Open windows per store (one per instance: the edge store is per isolate, Node's per process). */
const open = new WeakMap<Store, Map<string, Tally>>();

/** Counts one refused request; the first of a window schedules the window's record. */
export function noteUnauthenticated(p: Platform, reason: AuthRefusal, protocolIn: ProtocolName, start: number): void {
  let windows = open.get(p.store);
  if (!windows) open.set(p.store, (windows = new Map()));
  const id = `${reason}|${protocolIn}`;
  const latency = Math.max(0, p.now() - start);
  const t = windows.get(id);
  if (t) {
    t.count += 1;
    t.latencyMsTotal += latency;
    return;
  }
  const fresh: Tally = { reason, protocolIn, first: start, count: 1, latencyMsTotal: latency, stream: false };
  windows.set(id, fresh);
  const map = windows;
  p.defer(new Promise((ok) => setTimeout(ok, AGGREGATE_WINDOW_MS)).then(() => {
    if (map.get(id) === fresh) map.delete(id);
    return p.groups.record(UNROUTED_GROUP_ID, aggregateRecord(fresh));
  }));
}

/** The one record of a window: group '' (no group can have that name), the reason as its model. */
export function aggregateRecord(t: Tally): RequestRecord {
  return {
    id: crypto.randomUUID(), time: t.first, apiKeyId: 0, groupName: '', channelId: 0, upstreamModel: t.reason,
    protocolIn: t.protocolIn, protocolOut: null, stream: t.stream, status: 401, ok: false, attempts: [], usage: null,
    costNanoUsd: 0, latencyMs: t.latencyMsTotal, ttftMs: null, count: t.count,
    error: `${t.count} request${t.count === 1 ? '' : 's'} refused before authentication (${t.reason}) within ${AGGREGATE_WINDOW_MS / 1000} s`,
  };
}
