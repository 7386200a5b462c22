/**
 * Routing inputs and outputs. Pure data: the group state holder (Durable Object on the edge,
 * an in-process object in Node) owns the mutable `RoutingState` and persists it.
 */
import type { GroupMode } from '../db/types';

/** A routable member as the planner sees it: only enabled members of enabled channels with at least one enabled key. */
export interface MemberRef {
  memberId: number;
  channelId: number;
  /** Lower runs first in failover mode. */
  priority: number;
  /** Share in weighted mode (>= 1). */
  weight: number;
  /** Ids of the channel's enabled keys, in stored order. */
  keyIds: string[];
}

/** What `plan` is asked. */
export interface PlanInput {
  mode: GroupMode;
  members: MemberRef[];
}

/** One place to try: a member and the channel key to use for it. */
export interface Candidate {
  memberId: number;
  channelId: number;
  keyId: string;
}

/** Ordered candidates; the relay tries them in order until one commits. */
export interface Plan {
  candidates: Candidate[];
}

/** Outcome of one attempt, reported after the request (off the critical path). */
export interface AttemptOutcome {
  memberId: number;
  channelId: number;
  keyId: string;
  /** ok = served; channel = channel fault (counts against the member); client = the request's own fault. */
  kind: 'ok' | 'channel' | 'client';
  /** HTTP status from upstream, or 0 for a network error / timeout. */
  status: number;
  /** Wall time of the attempt, ms. */
  ms: number;
  error?: string;
}

/** Health counters per member. */
export interface MemberHealth {
  consecutiveFailures: number;
  lastStatus: number;
  lastError: string | null;
  /** ms since epoch of the last reported attempt. */
  lastAt: number;
}

/** The mutable routing state of one group. */
export interface RoutingState {
  /** Round-robin position over the member list. */
  cursor: number;
  /** Round-robin position over each channel's keys, by channel id. */
  keyCursors: Record<string, number>;
  health: Record<string, MemberHealth>;
}

/** A fresh state for a group never seen before. */
export function emptyRoutingState(): RoutingState {
  return { cursor: 0, keyCursors: {}, health: {} };
}
