/**
 * Shapes of `GET /api/v1/groups/health` (admin/groups-health.ts builds them). Types only, free of
 * runtime imports, so the dashboard can use them.
 */
import type { PatternCatch } from '../routing/catches';
import type { PlainError } from '../routing/plain-error';
import type { GroupStatus, KeyCounts, MemberState } from '../routing/status';
import type { MemberHealth } from '../routing/types';

/** Recent traffic as the API shows it (routing/window.ts WindowSummary without its histograms). ms. */
export interface RecentTraffic {
  /** Attempts in the window (the last 128 per member, none older than 15 min). */
  samples: number;
  ok: number;
  failed: number;
  rateLimited: number;
  /** ok / samples, 0..1; null without attempts. */
  successRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

/** One member's health: its breaker (routing/types.ts MemberHealth), its state and why, its last problem in plain words. */
export interface MemberHealthView extends Omit<MemberHealth, 'recent'> {
  state: MemberState;
  /** Can take requests now. */
  routable: boolean;
  /** Why this state, in plain words. */
  reason: string;
  /** The last error in plain words (times in UTC), null when the last attempt succeeded; `detail` is the upstream's message. */
  problem: PlainError | null;
  recent: RecentTraffic;
  /** The member's channel keys: enabled, and cooling down after a 429 or a 401/403. */
  keys: KeyCounts;
}

/** One group's entry: status, members by member id, its catches when it has patterns, or why it could not be read. */
export interface GroupHealthEntry {
  status: GroupStatus;
  /** Why, in plain words ("2 of 3 members healthy"). */
  reason: string;
  members: Record<string, MemberHealthView>;
  catches?: PatternCatch[];
  /** Set when the group's holder did not answer; `members` is then empty and the status unknown ('down'). */
  error?: string;
}

/** A channel's traffic health across every group it is a member of. */
export interface ChannelHealthEntry {
  /** Worst useful summary of its members: rate-limited (any member rate limited), down (none can take requests), degraded, healthy, idle (no traffic), disabled. */
  state: MemberState;
  reason: string;
  /** Group members on this channel (enabled or not). */
  members: number;
  /** Summed over its members; percentiles from merged histograms (±15 %). */
  recent: RecentTraffic;
}

/** The whole answer. */
export interface HealthAnswer {
  groups: Record<string, GroupHealthEntry>;
  channels: Record<string, ChannelHealthEntry>;
}

