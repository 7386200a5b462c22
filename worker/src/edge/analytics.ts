/**
 * The Worker's metrics (issue 14 item 9): with an Analytics Engine binding `METRICS`, every request
 * record a stats flush has written becomes one data point, the same facts Node's /metrics counts
 * (node/metrics.ts). Written at flush time from the group's Durable Object, so the request path
 * pays nothing and a replayed flush is not counted twice.
 *
 * Data point layout (Workers Analytics Engine: `writeDataPoint`, up to 20 blobs and 20 doubles and
 * one index; query with SQL over `blob1…`, `double1…`, weighted by `_sample_interval`):
 * - index1: group name (the sampling key);
 * - blobs: 1 group, 2 final channel id, 3 upstream model, 4 inbound protocol, 5 outcome
 *   (succeeded, rescued, client_error, upstream_error, client_closed), 6 HTTP status, 7 "stream" or
 *   "unary";
 * - doubles: 1 requests (the record's count), 2 latency ms (total over the count), 3 TTFT ms
 *   (-1 when none), 4 input tokens (not cached), 5 cache_read, 6 cache_write, 7 output, 8 reasoning,
 *   9 cost nano-USD, 10 attempts, 11 failed attempts.
 */
import { requestOutcome, type RequestRecord } from '../accounting/records';

/** A FlushWriter `onApplied` hook writing one data point per record; never throws. */
export function analyticsHook(dataset: AnalyticsEngineDataset): (records: readonly RequestRecord[]) => void {
  return (records) => {
    for (const r of records) {
      try {
        const u = r.usage;
        dataset.writeDataPoint({
          indexes: [r.groupName.slice(0, 96)],
          blobs: [r.groupName, String(r.channelId), r.upstreamModel, r.protocolIn, requestOutcome(r), String(r.status), r.stream ? 'stream' : 'unary'],
          doubles: [
            r.count ?? 1, r.latencyMs, r.ttftMs ?? -1,
            u?.input ?? 0, u?.cacheRead ?? 0, u?.cacheWrite ?? 0, u?.output ?? 0, u?.reasoning ?? 0,
            r.costNanoUsd, r.attempts.length, r.attempts.filter((a) => a.status < 200 || a.status >= 300).length,
          ],
        });
      } catch {
        // Metrics never fail a flush (the records are already in D1).
      }
    }
  };
}
