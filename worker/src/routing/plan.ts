/**
 * Orders a group's members into candidates. Pure: takes the state, returns a new state.
 * Every mode yields all routable members, so a channel fault always has somewhere to fall through to.
 */
import type { Candidate, MemberRef, Plan, PlanInput, RoutingState } from './types';

/**
 * Round-robin over members: request n starts at member n mod count and walks the rest in order.
 * Channel keys rotate the same way, one cursor per channel. Only the first candidate (the one
 * surely tried) advances its channel's key cursor: advancing for fallbacks that are never tried
 * would skew the rotation (with two members a channel would always get the same key).
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

  const candidates: Candidate[] = ordered.map((m, i) => ({ memberId: m.memberId, channelId: m.channelId, keyId: pickKey(next, m, i === 0) }));
  return { plan: { candidates }, state: next };
}

/** The channel's current key; `advance` moves that channel's key cursor on. */
function pickKey(state: RoutingState, m: MemberRef, advance: boolean): string {
  const k = String(m.channelId);
  const pos = state.keyCursors[k] ?? 0;
  if (advance) state.keyCursors[k] = (pos + 1) % 1_000_000_007;
  return m.keyIds[pos % m.keyIds.length]!;
}
