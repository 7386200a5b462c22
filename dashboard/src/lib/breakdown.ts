/**
 * The overview's request and attempt numbers in plain words (issue 15 item 2): client requests
 * apart from upstream attempts, failures split into client errors and upstream faults, failover's
 * rescues, and the channels whose every attempt failed. Pure; the API shapes are in types.ts.
 */
import { fmtInt } from './format';
// Relative, not $gateway: the gateway's unit tests import this module without the dashboard's aliases.
import type { Breakdown, ChannelSummary } from '../../../worker/src/admin/summary';

/** "1 request", "120 requests". */
function count(n: number, one: string, many = `${one}s`): string {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

/**
 * "120 requests · 115 succeeded (4 rescued by failover) · 5 failed: 3 client errors, 2 upstream",
 * then "· 1 closed by the client" and "· 12 from before this breakdown" when there are any.
 */
export function requestsSentence(b: Breakdown): string {
  const r = b.requests;
  const parts = [count(r.total, 'request'), `${fmtInt(r.succeeded)} succeeded${r.rescued ? ` (${fmtInt(r.rescued)} rescued by failover)` : ''}`];
  parts.push(r.failed ? `${fmtInt(r.failed)} failed: ${count(r.clientErrors, 'client error')}, ${fmtInt(r.upstreamErrors)} upstream` : '0 failed');
  if (r.clientClosed) parts.push(`${fmtInt(r.clientClosed)} closed by the client`);
  if (r.untracked) parts.push(`${fmtInt(r.untracked)} from before this breakdown`);
  return parts.join(' · ');
}

/** "131 upstream attempts, 16 failed (14 absorbed by failover)". */
export function attemptsSentence(b: Breakdown): string {
  const a = b.attempts;
  return `${count(a.total, 'upstream attempt')}, ${fmtInt(a.failed)} failed${a.absorbed ? ` (${fmtInt(a.absorbed)} absorbed by failover)` : ''}`;
}

/**
 * Failed client requests of a chart bucket: client errors and upstream faults; in rows from
 * before the breakdown, whatever did not succeed (their `failures` also hold absorbed attempts).
 */
export function failedRequests(row: { clientErrors: number; upstreamErrors: number; untrackedRequests: number; untrackedSuccesses: number }): number {
  return row.clientErrors + row.upstreamErrors + Math.max(0, row.untrackedRequests - row.untrackedSuccesses);
}

/** A channel problem for the overview: what went wrong, in plain words. */
export interface ChannelProblem {
  channelId: number;
  /** "All 3 attempts failed". */
  text: string;
  /** "Failover sent every request elsewhere: the request counts do not show it." */
  detail: string;
}

/** The channels whose every attempt in the range failed (at least one), most attempts first. */
export function channelProblems(channels: ChannelSummary[]): ChannelProblem[] {
  return channels
    .filter((c) => c.everyAttemptFailed)
    .sort((a, b) => b.attempts - a.attempts || a.channelId - b.channelId)
    .map((c) => {
      const rescued = c.attempts - c.requests;
      return {
        channelId: c.channelId,
        text: c.attempts === 1 ? 'Its only attempt failed' : `All ${fmtInt(c.attempts)} attempts failed`,
        detail: c.requests === 0
          ? 'Failover moved every request on to another channel, so the request counts do not show it.'
          : `${count(c.requests, 'request')} failed here${rescued > 0 ? `; failover moved ${fmtInt(rescued)} more on` : ''}.`,
      };
    });
}
