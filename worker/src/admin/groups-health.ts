/**
 * `GET /api/v1/groups/health`: the live member health (and recent pattern catches) of every group
 * in one answer, so a dashboard polling every few seconds makes one request whatever the number of
 * groups (one per group was 36 requests/s with 100 groups).
 */
import type { Group } from '../db/types';
import type { Platform } from '../platform';
import type { PatternCatch } from '../routing/catches';
import type { MemberHealth } from '../routing/types';

/** Groups asked at once: on the Worker each is a call to the group's Durable Object. */
export const HEALTH_FANOUT = 16;

/** One group's entry: its members' health by member id, its catches when it has patterns, or why it could not be read. */
export interface GroupHealthEntry {
  members: Record<string, MemberHealth>;
  catches?: PatternCatch[];
  /** Set when the group's holder did not answer; `members` is then empty. */
  error?: string;
}

/**
 * Health of `groups`, keyed by group id. Never throws for one group: a holder that fails gives an
 * entry with `error` (the others are still answered). At most {@link HEALTH_FANOUT} holders are asked at once.
 */
export async function healthOfGroups(p: Platform, groups: Group[]): Promise<Record<string, GroupHealthEntry>> {
  const out: Record<string, GroupHealthEntry> = {};
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const g = groups[next++]!;
      try {
        const [members, catches] = await Promise.all([p.groups.health(g.id), g.patterns.length > 0 ? p.groups.catches(g.id) : undefined]);
        out[g.id] = catches ? { members, catches } : { members };
      } catch (err) {
        out[g.id] = { members: {}, error: err instanceof Error ? err.message.slice(0, 200) : 'unavailable' };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEALTH_FANOUT, groups.length) }, worker));
  return out;
}
