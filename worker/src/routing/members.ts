/** Turns a stored group into the member list the planner works on. Pure. */
import type { ChannelType, Route } from '../db/types';
import { passesThrough } from './endpoints';
import { downByCheck } from './check-state';
import type { MemberRef } from './types';

/**
 * Enabled members whose channel exists, is enabled and has at least one enabled key, and is not
 * down by its scheduled health check (check-state.ts). Disabled things are never chosen;
 * their absence here is what guarantees it. With `clientProtocol`, each member says whether it
 * would pass the client's body through (MemberRef.passthrough; routing/endpoints.ts).
 *
 * When every otherwise routable member is on a channel down by check, those members are all
 * returned instead: a check is one tiny request every few minutes and can be wrong (a model the
 * check names was removed, a vendor's ping path is down while chat works), so a request still
 * tries them (breakers and failover as usual) rather than being refused with 503 and nothing tried.
 */
export function routableMembers(route: Route, clientProtocol?: ChannelType): MemberRef[] {
  const out: MemberRef[] = [];
  const down: MemberRef[] = [];
  for (const m of route.group.members) {
    if (!m.enabled) continue;
    const ch = route.channels.get(m.channelId);
    if (!ch || !ch.enabled) continue;
    const keyIds = ch.keys.filter((k) => k.enabled).map((k) => k.id);
    if (keyIds.length === 0) continue;
    const ref: MemberRef = { memberId: m.id, channelId: m.channelId, priority: m.priority, weight: Math.max(1, m.weight), keyIds };
    if (clientProtocol && passesThrough(ch, m, clientProtocol)) ref.passthrough = true;
    (downByCheck(ch) ? down : out).push(ref);
  }
  return out.length > 0 ? out : down;
}
