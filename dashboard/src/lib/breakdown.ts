/**
 * The overview's request and attempt numbers in plain words (issue 15 item 2): client requests
 * apart from upstream attempts, failures split into client errors and upstream faults, failover's
 * rescues, and the channels whose every attempt failed. Pure; the API shapes are in types.ts.
 */
import { fmtInt } from './format';
// Relative, not $gateway: the gateway's unit tests import this module without the dashboard's aliases.
import type { Breakdown, ChannelSummary } from '../../../worker/src/admin/summary';

/**
 * The words of the sentences, English by default; the layout installs the chosen language's
 * (src/lib/i18n.ts). Counts arrive formatted; `one` tells a count of 1 (English's singular).
 */
export interface BreakdownWords {
  requests: (n: string, one: boolean) => string;
  succeeded: (n: string) => string;
  /** Appended after a space. */
  rescued: (n: string) => string;
  failedSplit: (n: string, clientErrors: string, upstream: string) => string;
  noneFailed: () => string;
  clientErrors: (n: string, one: boolean) => string;
  closed: (n: string) => string;
  untracked: (n: string) => string;
  attempts: (n: string, one: boolean) => string;
  attemptsFailed: (attempts: string, n: string) => string;
  /** Appended after a space. */
  absorbed: (n: string) => string;
  onlyAttemptFailed: () => string;
  allAttemptsFailed: (n: string) => string;
  movedAll: () => string;
  failedHere: (requests: string) => string;
  movedMore: (n: string) => string;
  /** The sentence's full stop. */
  end: () => string;
}

const ENGLISH: BreakdownWords = {
  requests: (n, one) => `${n} ${one ? 'request' : 'requests'}`,
  succeeded: (n) => `${n} succeeded`,
  rescued: (n) => `(${n} rescued by failover)`,
  failedSplit: (n, c, u) => `${n} failed: ${c}, ${u} upstream`,
  noneFailed: () => '0 failed',
  clientErrors: (n, one) => `${n} ${one ? 'client error' : 'client errors'}`,
  closed: (n) => `${n} closed by the client`,
  untracked: (n) => `${n} from before this breakdown`,
  attempts: (n, one) => `${n} ${one ? 'upstream attempt' : 'upstream attempts'}`,
  attemptsFailed: (a, n) => `${a}, ${n} failed`,
  absorbed: (n) => `(${n} absorbed by failover)`,
  onlyAttemptFailed: () => 'Its only attempt failed',
  allAttemptsFailed: (n) => `All ${n} attempts failed`,
  movedAll: () => 'Failover moved every request on to another channel, so the request counts do not show it.',
  failedHere: (r) => `${r} failed here`,
  movedMore: (n) => `; failover moved ${n} more on`,
  end: () => '.',
};

let words: BreakdownWords = ENGLISH;

/** Installs the words of the dashboard's language (English when omitted). */
export function setBreakdownWords(w: BreakdownWords = ENGLISH): void {
  words = w;
}

/**
 * "120 requests · 115 succeeded (4 rescued by failover) · 5 failed: 3 client errors, 2 upstream",
 * then "· 1 closed by the client" and "· 12 from before this breakdown" when there are any.
 */
export function requestsSentence(b: Breakdown): string {
  const r = b.requests;
  const parts = [words.requests(fmtInt(r.total), r.total === 1), words.succeeded(fmtInt(r.succeeded)) + (r.rescued ? ` ${words.rescued(fmtInt(r.rescued))}` : '')];
  parts.push(r.failed ? words.failedSplit(fmtInt(r.failed), words.clientErrors(fmtInt(r.clientErrors), r.clientErrors === 1), fmtInt(r.upstreamErrors)) : words.noneFailed());
  if (r.clientClosed) parts.push(words.closed(fmtInt(r.clientClosed)));
  if (r.untracked) parts.push(words.untracked(fmtInt(r.untracked)));
  return parts.join(' · ');
}

/** "131 upstream attempts, 16 failed (14 absorbed by failover)". */
export function attemptsSentence(b: Breakdown): string {
  const a = b.attempts;
  return words.attemptsFailed(words.attempts(fmtInt(a.total), a.total === 1), fmtInt(a.failed)) + (a.absorbed ? ` ${words.absorbed(fmtInt(a.absorbed))}` : '');
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
        text: c.attempts === 1 ? words.onlyAttemptFailed() : words.allAttemptsFailed(fmtInt(c.attempts)),
        detail: c.requests === 0
          ? words.movedAll()
          : words.failedHere(words.requests(fmtInt(c.requests), c.requests === 1)) + (rescued > 0 ? words.movedMore(fmtInt(rescued)) : '') + words.end(),
      };
    });
}
