/**
 * Applies attempt outcomes to per-member health counters. Pure.
 * (The circuit breaker that acts on these counters is built on top of this record.)
 */
import type { AttemptOutcome, RoutingState } from './types';

/** @returns a new state with each outcome folded into its member's health. */
export function applyOutcomes(state: RoutingState, outcomes: AttemptOutcome[], now: number): RoutingState {
  const health = { ...state.health };
  for (const o of outcomes) {
    if (o.kind === 'client') continue; // the request's own fault says nothing about the member
    const prev = health[String(o.memberId)] ?? { consecutiveFailures: 0, lastStatus: 0, lastError: null, lastAt: 0 };
    health[String(o.memberId)] = o.kind === 'ok'
      ? { consecutiveFailures: 0, lastStatus: o.status, lastError: null, lastAt: now }
      : { consecutiveFailures: prev.consecutiveFailures + 1, lastStatus: o.status, lastError: o.error ?? null, lastAt: now };
  }
  return { ...state, health };
}
