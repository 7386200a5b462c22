/**
 * Circuit breaker per member, pure. States:
 * - closed: routable; consecutive channel faults are counted.
 * - open: after `threshold` consecutive faults (or an upstream `Retry-After`), not routable until
 *   `until`; each re-opening doubles the cooldown from `baseMs` up to `capMs`.
 * - half-open: the cooldown is over; exactly one request at a time may probe the member (the probe
 *   holds a lease so a lost report cannot block it forever). Success closes, failure re-opens.
 * Times are ms since epoch.
 */

export type BreakerPhase = 'closed' | 'open' | 'half-open';

export interface BreakerState {
  /** Consecutive channel faults since the last success. */
  failures: number;
  /** How many times in a row it opened (drives the exponential cooldown). */
  opens: number;
  /** While open: when it may be probed. 0 when closed. */
  until: number;
  /** A half-open probe is in flight until this time (0 = none). */
  probeUntil: number;
  lastStatus: number;
  lastError: string | null;
  lastAt: number;
}

export interface BreakerSettings {
  threshold: number;
  baseMs: number;
  capMs: number;
}

export function closedBreaker(): BreakerState {
  return { failures: 0, opens: 0, until: 0, probeUntil: 0, lastStatus: 0, lastError: null, lastAt: 0 };
}

/** The phase at `now`. */
export function phaseOf(b: BreakerState, now: number): BreakerPhase {
  if (b.until === 0) return 'closed';
  return now < b.until ? 'open' : 'half-open';
}

/**
 * May this member be tried now? Closed: yes. Open: no. Half-open: only when no probe is in flight.
 * Returns the state to keep (a half-open admission takes the probe lease for `leaseMs`).
 */
export function admit(b: BreakerState, now: number, leaseMs: number): { ok: boolean; state: BreakerState } {
  const phase = phaseOf(b, now);
  if (phase === 'closed') return { ok: true, state: b };
  if (phase === 'open' || b.probeUntil > now) return { ok: false, state: b };
  return { ok: true, state: { ...b, probeUntil: now + leaseMs } };
}

/** Cooldown after the n-th consecutive opening (n >= 1): base · 2^(n-1), at most cap. */
export function cooldownMs(opens: number, s: BreakerSettings): number {
  return Math.min(s.capMs, s.baseMs * 2 ** Math.min(30, Math.max(0, opens - 1)));
}

/** A success: closes the breaker and forgets the faults. */
export function onSuccess(b: BreakerState, now: number, status: number): BreakerState {
  return { ...closedBreaker(), lastStatus: status, lastAt: now };
}

/**
 * A channel fault. Opens the breaker when the threshold is reached, when a half-open probe
 * failed, or when the upstream said when to come back (`retryAfterMs`, which then sets the cooldown).
 */
export function onFailure(b: BreakerState, now: number, s: BreakerSettings, status: number, error: string | null, retryAfterMs?: number): BreakerState {
  const failures = b.failures + 1;
  const probing = phaseOf(b, now) === 'half-open';
  const base = { ...b, failures, probeUntil: 0, lastStatus: status, lastError: error, lastAt: now };
  if (!(probing || failures >= s.threshold || retryAfterMs !== undefined)) return base;
  const opens = b.opens + 1;
  const wait = retryAfterMs !== undefined ? Math.min(Math.max(0, retryAfterMs), s.capMs) : cooldownMs(opens, s);
  return { ...base, opens, until: now + wait };
}

/**
 * `Retry-After` as ms from `now`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined
 * when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (/^\d+\.\d+$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
