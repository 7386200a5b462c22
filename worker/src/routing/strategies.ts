/**
 * The four balancing modes. Each orders ALL given members (the first is the pick, the rest are
 * the fall-through order on a channel fault). Pure: state in, new state out.
 */
import type { GroupMode } from '../db/types';
import type { MemberRef } from './types';

/** Cursors the modes keep between requests. */
export interface StrategyState {
  /** Round-robin position. */
  cursor: number;
  /** Smooth weighted round-robin current weights, by member id. */
  weights: Record<string, number>;
}

/** A number in [0, 1); injectable so tests are deterministic. */
export type Random = () => number;

const WRAP = 1_000_000_007;

/**
 * Orders members for one request.
 * - round-robin: start at cursor mod n, walk the rest in order; the cursor advances by one.
 * - random: a uniform shuffle (Fisher–Yates).
 * - failover: priority ascending, then member id ascending; no state.
 * - weighted: smooth weighted round-robin (every member's current weight grows by its weight, the
 *   largest is picked and loses the total): over each cycle of sum(weights) requests each member
 *   is picked exactly `weight` times, spread evenly. Fall-through: the others by current weight.
 */
export function orderMembers(mode: GroupMode, members: MemberRef[], state: StrategyState, random: Random): { order: MemberRef[]; state: StrategyState } {
  if (members.length === 0) return { order: [], state };
  switch (mode) {
    case 'round-robin': {
      const start = state.cursor % members.length;
      return { order: [...members.slice(start), ...members.slice(0, start)], state: { ...state, cursor: (state.cursor + 1) % WRAP } };
    }
    case 'random': {
      const order = [...members];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      return { order, state };
    }
    case 'failover':
      return { order: [...members].sort((a, b) => a.priority - b.priority || a.memberId - b.memberId), state };
    case 'weighted':
      return smoothWeighted(members, state);
  }
}

function smoothWeighted(members: MemberRef[], state: StrategyState): { order: MemberRef[]; state: StrategyState } {
  const weights: Record<string, number> = {};
  let total = 0;
  for (const m of members) {
    const w = Math.max(1, m.weight);
    total += w;
    // Members that left the group drop out of the map; new ones start at 0.
    weights[m.memberId] = (state.weights[m.memberId] ?? 0) + w;
  }
  const byCurrent = [...members].sort((a, b) => weights[b.memberId]! - weights[a.memberId]! || a.memberId - b.memberId);
  const pick = byCurrent[0]!;
  weights[pick.memberId]! -= total;
  return { order: byCurrent, state: { ...state, weights } };
}
