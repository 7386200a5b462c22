/**
 * Plans one request: the mode orders the members (those that pass through first, routing/endpoints.ts), a sticky session moves its member to the
 * front, and the breaker and key cooldowns leave out what may not be tried now. Pure.
 */
import { admit, closedBreaker } from './breaker';
import { orderPreferringPassthrough } from './endpoints';
import type { Random } from './strategies';
import type { Candidate, MemberRef, Plan, PlanInput, RoutingState } from './types';

const WRAP = 1_000_000_007;

/**
 * @returns the plan and the new state (the input state is not modified). With no candidate,
 * `plan.retryAfterMs` says when the first open member or cooled key comes back, if any, and
 * `plan.rateLimited` whether only rate limits (keys cooling after a 429) keep every member out.
 */
export function planRequest(state: RoutingState, input: PlanInput, now: number, random: Random): { plan: Plan; state: RoutingState } {
  const members = input.members.filter((m) => m.keyIds.length > 0);
  const ordered = orderPreferringPassthrough(input.mode, members, state.strategy, random);
  // `breakers` is copied only when a half-open lease is taken, so callers can tell by identity
  // whether this plan changed breaker state (and must be persisted before the reply).
  const next: RoutingState = { ...state, strategy: ordered.state, keyCursors: { ...state.keyCursors } };
  let order = ordered.order;

  const stick = input.session && input.settings.stickyTtlMs > 0 ? state.sticky[input.session] : undefined;
  if (stick && stick.until > now) {
    const at = order.findIndex((m) => m.memberId === stick.memberId);
    // Stickiness only reorders: a sticky member the breaker refuses below is simply skipped.
    if (at > 0) order = [order[at]!, ...order.slice(0, at), ...order.slice(at + 1)];
  }

  const candidates: Candidate[] = [];
  let comesBack = Infinity;
  /** Whether every member left out so far waits only on keys rate limited (429). */
  let onlyRateLimited = true;
  for (const m of order) {
    const keyId = availableKey(next, m, now, candidates.length === 0);
    if (keyId === null) {
      comesBack = Math.min(comesBack, firstKeyBack(state, m));
      onlyRateLimited &&= m.keyIds.every((id) => state.keyCooldownCauses?.[`${m.channelId}:${id}`] === 429);
      continue;
    }
    const b = next.breakers[m.memberId] ?? closedBreaker();
    const a = admit(b, now, input.settings.probeLeaseMs);
    if (!a.ok) {
      comesBack = Math.min(comesBack, Math.max(b.until, b.probeUntil));
      onlyRateLimited = false;
      continue;
    }
    if (a.state !== b) {
      if (next.breakers === state.breakers) next.breakers = { ...state.breakers };
      next.breakers[m.memberId] = a.state;
    }
    candidates.push({ memberId: m.memberId, channelId: m.channelId, keyId });
  }
  const plan: Plan = { candidates };
  if (candidates.length === 0 && comesBack !== Infinity) {
    plan.retryAfterMs = Math.max(0, comesBack - now);
    if (onlyRateLimited) plan.rateLimited = true;
  }
  return { plan, state: next };
}

/**
 * The channel's next key that is not cooling down, or null. Only the first candidate (the one
 * surely tried) advances the channel's key cursor: advancing for fallbacks that are never tried
 * would skew the rotation (with two members a channel would always get the same key).
 */
function availableKey(state: RoutingState, m: MemberRef, now: number, advance: boolean): string | null {
  const k = String(m.channelId);
  const pos = state.keyCursors[k] ?? 0;
  for (let i = 0; i < m.keyIds.length; i++) {
    const keyId = m.keyIds[(pos + i) % m.keyIds.length]!;
    if ((state.keyCooldowns[`${m.channelId}:${keyId}`] ?? 0) > now) continue;
    if (advance) state.keyCursors[k] = (pos + i + 1) % WRAP;
    return keyId;
  }
  return null;
}

function firstKeyBack(state: RoutingState, m: MemberRef): number {
  return Math.min(...m.keyIds.map((id) => state.keyCooldowns[`${m.channelId}:${id}`] ?? 0));
}
