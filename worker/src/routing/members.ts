/** Turns a stored group into the member list the planner works on. Pure. */
import type { Route } from '../db/types';
import type { MemberRef } from './types';

/**
 * Enabled members whose channel exists, is enabled and has at least one enabled key.
 * Disabled things are never chosen; their absence here is what guarantees it.
 */
export function routableMembers(route: Route): MemberRef[] {
  const out: MemberRef[] = [];
  for (const m of route.group.members) {
    if (!m.enabled) continue;
    const ch = route.channels.get(m.channelId);
    if (!ch || !ch.enabled) continue;
    const keyIds = ch.keys.filter((k) => k.enabled).map((k) => k.id);
    if (keyIds.length === 0) continue;
    out.push({ memberId: m.id, channelId: m.channelId, priority: m.priority, weight: Math.max(1, m.weight), keyIds });
  }
  return out;
}
