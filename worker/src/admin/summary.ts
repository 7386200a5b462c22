/**
 * The overview's numbers that add up (issue 15 item 2): client requests apart from upstream
 * attempts, failed requests split into client errors and upstream faults, failed attempts that
 * failover absorbed, rescues, and per channel its attempts. Pure: derived from summed stats
 * counters (Store.statsSummary), the only source kept for every request whatever the log retention,
 * and the only one that counts each bad-key request (the log keeps one row per burst of them).
 */
import type { SummaryCounters } from '../db/store';

/**
 * Requests and attempts of a range. Every part counts requests written since the breakdown
 * counters exist; `requests.untracked` are the ones before (in `total` only), so
 * `total = succeeded + failed + clientClosed + untracked` and `failed = clientErrors + upstreamErrors`.
 */
export interface Breakdown {
  requests: {
    /** Client requests, as `total.requests`. */
    total: number;
    succeeded: number;
    /** Of `succeeded`: after at least one failed attempt (failover rescued them). */
    rescued: number;
    failed: number;
    /** Refused with a 4xx before any upstream call: bad key 401, unknown model 404, our limits 429, bad input 400. */
    clientErrors: number;
    /** Failed with an upstream's fault reaching the client, or a 5xx with no upstream available. */
    upstreamErrors: number;
    /** The client went away before the end (499): neither succeeded nor failed. */
    clientClosed: number;
    /** Counted before the breakdown existed (upgrade): in `total`, in none of the parts. */
    untracked: number;
  };
  attempts: {
    /** Upstream calls. */
    total: number;
    failed: number;
    /** Of `failed`: followed by another attempt, so the client never saw them. */
    absorbed: number;
  };
}

/** The breakdown of summed counters (the shape of Breakdown, which see). */
export function breakdownOf(c: SummaryCounters): Breakdown {
  const failed = c.clientErrors + c.upstreamErrors;
  const succeeded = c.successes - c.untrackedSuccesses;
  return {
    requests: {
      total: c.requests, succeeded, rescued: c.rescues, failed, clientErrors: c.clientErrors, upstreamErrors: c.upstreamErrors,
      clientClosed: Math.max(0, c.requests - c.untrackedRequests - succeeded - failed), untracked: c.untrackedRequests,
    },
    attempts: {
      total: c.attempts, failed: c.failedAttempts,
      // `failures` holds failed requests and absorbed attempts (accounting/records.ts aggregateStats).
      absorbed: Math.max(0, c.failures - c.untrackedFailures - failed),
    },
  };
}

/** One channel's share of a range: its requests (it was the final channel) and its attempts. */
export interface ChannelSummary {
  channelId: number;
  requests: number;
  successes: number;
  attempts: number;
  failedAttempts: number;
  /**
   * Every attempt on it failed (at least one): a problem even when failover rescued each request,
   * which the request counts then hide.
   */
  everyAttemptFailed: boolean;
}

/** A channel's summary from its summed counters. */
export function channelSummaryOf(c: SummaryCounters & { channelId: number }): ChannelSummary {
  return {
    channelId: c.channelId, requests: c.requests, successes: c.successes, attempts: c.attempts, failedAttempts: c.failedAttempts,
    everyAttemptFailed: c.attempts > 0 && c.failedAttempts >= c.attempts,
  };
}
