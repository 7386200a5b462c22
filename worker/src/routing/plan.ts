/**
 * Orders a group's members into candidates. Pure: takes the state, returns a new state.
 * Every mode yields all routable members, so a channel fault always has somewhere to fall through to.
 */
import type { Candidate, MemberRef, Plan, PlanInput, RoutingState } from './types';

/**
 * Round-robin over members: request n starts at member n mod count and walks the rest in order.
 * Channel keys rotate the same way, one cursor per channel.
 *
 * @returns the plan and the advanced state (the input state is not modified).
 */
export function planRequest(state: RoutingState, input: PlanInput): { plan: Plan; state: RoutingState } {
  const members = input.members.filter((m) => m.keyIds.length > 0);
  const next: RoutingState = { ...state, keyCursors: { ...state.keyCursors } };
  if (members.length === 0) return { plan: { candidates: [] }, state: next };

  const start = state.cursor % members.length;
  next.cursor = (state.cursor + 1) % 1_000_000_007;
  const ordered = [...members.slice(start), ...members.slice(0, start)];

  const candidates: Candidate[] = ordered.map((m) => ({ memberId: m.memberId, channelId: m.channelId, keyId: pickKey(next, m) }));
  return { plan: { candidates }, state: next };
}

/** Next key of the member's channel, advancing that channel's key cursor. */
function pickKey(state: RoutingState, m: MemberRef): string {
  const k = String(m.channelId);
  const pos = state.keyCursors[k] ?? 0;
  state.keyCursors[k] = (pos + 1) % 1_000_000_007;
  return m.keyIds[pos % m.keyIds.length]!;
}
