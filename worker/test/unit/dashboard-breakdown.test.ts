/** The overview's request and attempt lines and channel problems (dashboard/src/lib/breakdown.ts, issue 15 item 2). */
import { describe, expect, it } from 'vitest';
import { attemptsSentence, channelProblems, failedRequests, requestsSentence } from '../../../dashboard/src/lib/breakdown';
import type { Breakdown } from '../../src/admin/summary';

const b = (requests: Partial<Breakdown['requests']>, attempts: Partial<Breakdown['attempts']> = {}): Breakdown => ({
  requests: { total: 0, succeeded: 0, rescued: 0, failed: 0, clientErrors: 0, upstreamErrors: 0, clientClosed: 0, untracked: 0, ...requests },
  attempts: { total: 0, failed: 0, absorbed: 0, ...attempts },
});

describe('overview breakdown', () => {
  it('says requests apart from attempts in plain words', () => {
    const x = b({ total: 120, succeeded: 115, rescued: 4, failed: 5, clientErrors: 3, upstreamErrors: 2 }, { total: 131, failed: 16, absorbed: 14 });
    expect(requestsSentence(x)).toBe('120 requests · 115 succeeded (4 rescued by failover) · 5 failed: 3 client errors, 2 upstream');
    expect(attemptsSentence(x)).toBe('131 upstream attempts, 16 failed (14 absorbed by failover)');
    expect(requestsSentence(b({ total: 1, succeeded: 1 }))).toBe('1 request · 1 succeeded · 0 failed');
    expect(requestsSentence(b({ total: 1_204, succeeded: 1_000, failed: 1, clientErrors: 1, clientClosed: 3, untracked: 200 })))
      .toBe('1,204 requests · 1,000 succeeded · 1 failed: 1 client error, 0 upstream · 3 closed by the client · 200 from before this breakdown');
    expect(attemptsSentence(b({}, { total: 1, failed: 0 }))).toBe('1 upstream attempt, 0 failed');
  });

  it('counts failed requests of a bucket, not failed attempts', () => {
    const zero = { requests: 0, successes: 0, failures: 0, attempts: 0, failedAttempts: 0, clientErrors: 0, upstreamErrors: 0, rescues: 0, untrackedRequests: 0, untrackedSuccesses: 0, untrackedFailures: 0 };
    const row = (o: Partial<typeof zero>) => ({ ...zero, ...o });
    expect(failedRequests(row({ requests: 10, successes: 8, failures: 9, clientErrors: 1, upstreamErrors: 1 }))).toBe(2);
    // Rows from before the breakdown: what did not succeed.
    expect(failedRequests(row({ requests: 10, successes: 7, failures: 12, untrackedRequests: 10, untrackedSuccesses: 7, untrackedFailures: 12 }))).toBe(3);
  });

  it('lists a channel whose every attempt failed, even when failover rescued all its requests', () => {
    const problems = channelProblems([
      { channelId: 1, requests: 0, successes: 0, attempts: 3, failedAttempts: 3, everyAttemptFailed: true },
      { channelId: 2, requests: 3, successes: 3, attempts: 3, failedAttempts: 0, everyAttemptFailed: false },
      { channelId: 3, requests: 2, successes: 0, attempts: 5, failedAttempts: 5, everyAttemptFailed: true },
      { channelId: 4, requests: 1, successes: 0, attempts: 1, failedAttempts: 1, everyAttemptFailed: true },
    ]);
    expect(problems.map((p) => p.channelId)).toEqual([3, 1, 4]);
    expect(problems[0]).toEqual({ channelId: 3, text: 'All 5 attempts failed', detail: '2 requests failed here; failover moved 3 more on.' });
    expect(problems[1]!.detail).toContain('request counts do not show it');
    expect(problems[2]).toMatchObject({ text: 'Its only attempt failed', detail: '1 request failed here.' });
  });
});
