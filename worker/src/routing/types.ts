/**
 * Routing inputs and outputs. Pure data: the group state holder (Durable Object on the edge,
 * an in-process object in Node) owns the mutable `RoutingState` and persists it.
 */
import type { ChannelType, GroupMode } from '../db/types';
import type { ReasoningPart } from '../protocols/canonical';
import type { BreakerPhase, BreakerState } from './breaker';
import type { StrategyState } from './strategies';
import type { WindowSummary } from './window';

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
  /**
   * The member would use an endpoint of the client's own protocol (routing/endpoints.ts), so the
   * body passes through unchanged; such members go first within a tier. Absent = false.
   */
  passthrough?: boolean;
}

/** Breaker and stickiness settings the planner needs (ms). */
export interface PlanSettings {
  breakerThreshold: number;
  breakerBaseMs: number;
  breakerCapMs: number;
  /** 0 = sticky sessions off. */
  stickyTtlMs: number;
  /** How long a half-open probe may hold its lease without a report. */
  probeLeaseMs: number;
}

/** What `plan` is asked. */
export interface PlanInput {
  mode: GroupMode;
  members: MemberRef[];
  settings: PlanSettings;
  /** Sticky-session key (client key + the client's session hint), when the client sent one. */
  session?: string;
  /**
   * The client key and the tool call ids of its last assistant turn, when that turn came back without the
   * reasoning its upstream signed (an OpenAI Chat client): the holder looks the reasoning up in its
   * memory (routing/reasoning-memory.ts) and returns it with the plan, so the lookup costs no extra call.
   */
  recall?: { owner: number; toolCallIds: string[] };
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
  /** When there is no candidate: ms until the first member or key comes back, if any will. */
  retryAfterMs?: number;
  /**
   * When there is no candidate: true when every member was left out only because all its keys
   * cool down after a 429, so the client hears a rate limit (429), not an outage (503).
   */
  rateLimited?: boolean;
  /** The reasoning remembered for `PlanInput.recall`, when found and alive. */
  reasoning?: ReasoningPart[];
}

/** Outcome of one attempt, reported after the request (off the critical path). */
export interface AttemptOutcome {
  memberId: number;
  channelId: number;
  keyId: string;
  /**
   * ok = served; channel = channel fault (counts against the member or key); client = the request's
   * own fault; aborted = the client went away during the attempt (nobody's fault: never counted).
   */
  kind: 'ok' | 'channel' | 'client' | 'aborted';
  /** HTTP status from upstream, or 0 for a network error / timeout / bad stream. */
  status: number;
  /** Wall time of the attempt, ms. */
  ms: number;
  error?: string;
  /** The upstream's Retry-After, ms from the attempt's end. */
  retryAfterMs?: number;
  /** The channel endpoint's protocol the attempt used (routing/endpoints.ts); absent before it was chosen. */
  endpointType?: ChannelType;
}

/** A request's report: attempt outcomes plus planned members that were never tried. */
export interface RoutingReport {
  outcomes: AttemptOutcome[];
  untried: number[];
  session?: string;
  settings: PlanSettings;
}

/** Live health of one member, for the admin API and dashboard. */
export interface MemberHealth {
  phase: BreakerPhase;
  consecutiveFailures: number;
  /** ms since epoch when an open breaker may be probed; 0 when closed. */
  cooldownUntil: number;
  lastStatus: number;
  lastError: string | null;
  lastAt: number;
  /** Recent traffic (routing/window.ts): attempts, success rate, latency and TTFT; absent when none in the window. */
  recent?: WindowSummary;
}

/** A key cooldown as the health view shows it: until when (ms since epoch) and the status that started it (401, 403, 429). */
export interface KeyCooldown {
  until: number;
  status: number;
}

/** A group's live health, as its holder answers it. */
export interface GroupHealth {
  /** By member id: every member with a breaker or recent traffic. */
  members: Record<string, MemberHealth>;
  /** By `channelId:keyId`: the keys cooling down now (a key id is an index or label, never the key). */
  keys: Record<string, KeyCooldown>;
}

/** The mutable routing state of one group. */
export interface RoutingState {
  strategy: StrategyState;
  /** Round-robin position over each channel's keys, by channel id. */
  keyCursors: Record<string, number>;
  /** `channelId:keyId` → ms since epoch when the key may be used again. */
  keyCooldowns: Record<string, number>;
  /**
   * `channelId:keyId` → the upstream status (401, 403, 429) that started the key's cooldown; an
   * entry leaves with its cooldown. Optional: states stored before it existed lack it.
   */
  keyCooldownCauses?: Record<string, number>;
  breakers: Record<string, BreakerState>;
  /** Session key → the member that served it and until when it sticks. */
  sticky: Record<string, { memberId: number; until: number }>;
}

/** A fresh state for a group never seen before. */
export function emptyRoutingState(): RoutingState {
  return { strategy: { cursor: 0, weights: {} }, keyCursors: {}, keyCooldowns: {}, keyCooldownCauses: {}, breakers: {}, sticky: {} };
}
