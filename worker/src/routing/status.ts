/**
 * Health status at a glance, derived from a member's breaker, its channel's key cooldowns and its
 * recent traffic (routing/window.ts). Pure; the rule (also in the README, "Health"):
 *
 * Member state, first match wins:
 * - disabled: the member or its channel is disabled (left out of the group's status);
 * - down: its breaker is open, or none of its channel's keys is usable (every key disabled or cooling
 *   down after a 401/403), or its channel has no enabled key;
 * - rate-limited: a key of its channel cools down after a 429, or its most recent attempt was a 429;
 * - degraded: the breaker is half-open (a probe decides), or failures in a row since the last success,
 *   or some of its keys cool down after a 401/403, or its success rate over the window is under
 *   DEGRADED_SUCCESS_RATE with at least MIN_SAMPLES attempts;
 * - idle: no attempt in the window (nothing to judge; counts as healthy for the group);
 * - healthy: otherwise.
 * A member is routable unless it is disabled, down, or rate limited on every key.
 *
 * Group status: down when it has no routable member (what a client gets is then a 503 or 429);
 * degraded when any enabled member is not healthy or idle; healthy otherwise.
 */
import type { MemberHealth } from './types';

export type MemberState = 'healthy' | 'idle' | 'degraded' | 'rate-limited' | 'down' | 'disabled';
export type GroupStatus = 'healthy' | 'degraded' | 'down';

/** Success rate (0..1) below which a member with enough traffic is degraded. */
export const DEGRADED_SUCCESS_RATE = 0.9;
/** Attempts in the window before the success rate can degrade a member. */
export const MIN_SAMPLES = 5;

/** A member's channel keys as the group's holder sees them: enabled keys, and how many cool down for what. */
export interface KeyCounts {
  /** Enabled keys of the channel. */
  total: number;
  /** Of those, cooling down after a 429. */
  rateLimited: number;
  /** Of those, cooling down after a 401 or 403. */
  unauthorised: number;
}

/** What {@link memberState} reads. `now` and times are ms since epoch. */
export interface MemberStateInput {
  enabled: boolean;
  health: MemberHealth | undefined;
  keys: KeyCounts;
  now: number;
}

/** A member's state, whether it can take requests, and why, in plain words. */
export interface MemberVerdict {
  state: MemberState;
  routable: boolean;
  reason: string;
}

/** The member's state (see the module doc for the rule). */
export function memberState({ enabled, health: h, keys, now }: MemberStateInput): MemberVerdict {
  if (!enabled) return { state: 'disabled', routable: false, reason: 'disabled' };
  const usable = keys.total - keys.rateLimited - keys.unauthorised;
  if (h && h.phase === 'open' && h.cooldownUntil > now) return { state: 'down', routable: false, reason: 'paused after repeated failures' };
  if (keys.total === 0) return { state: 'down', routable: false, reason: 'its channel has no enabled key' };
  if (keys.unauthorised >= keys.total) {
    return { state: 'down', routable: false, reason: keys.total === 1 ? 'its key was refused by the upstream' : 'every key was refused by the upstream' };
  }
  const recent = h?.recent;
  if (keys.rateLimited > 0 || recent?.last === 'rate-limited') {
    const reason = keys.rateLimited === 0 ? 'the upstream is rate limiting it' : usable > 0 ? `${keys.rateLimited} of ${keys.total} keys rate limited` : 'rate limited on every key';
    return { state: 'rate-limited', routable: usable > 0 || keys.rateLimited === 0, reason };
  }
  if (h && h.phase === 'half-open') return { state: 'degraded', routable: true, reason: 'recovering: the next request tests it' };
  if (h && h.consecutiveFailures > 0) return { state: 'degraded', routable: true, reason: `${h.consecutiveFailures} failure${h.consecutiveFailures === 1 ? '' : 's'} in a row` };
  if (keys.unauthorised > 0) return { state: 'degraded', routable: true, reason: `${keys.unauthorised} of ${keys.total} keys refused by the upstream` };
  if (recent && recent.samples >= MIN_SAMPLES && recent.ok / recent.samples < DEGRADED_SUCCESS_RATE) {
    return { state: 'degraded', routable: true, reason: `${Math.round((100 * recent.ok) / recent.samples)}% of recent attempts succeeded` };
  }
  if (!recent || recent.samples === 0) return { state: 'idle', routable: true, reason: 'no recent traffic' };
  return { state: 'healthy', routable: true, reason: `${Math.round((100 * recent.ok) / recent.samples)}% of recent attempts succeeded` };
}

/** The group's status from its members' verdicts (disabled ones are left out). */
export function groupStatus(members: MemberVerdict[]): { status: GroupStatus; reason: string } {
  const active = members.filter((m) => m.state !== 'disabled');
  if (active.length === 0) return { status: 'down', reason: 'no enabled member' };
  const routable = active.filter((m) => m.routable).length;
  if (routable === 0) {
    const limited = active.filter((m) => m.state === 'rate-limited').length;
    const what = active.length === 1 ? 'its only member cannot take requests' : `none of ${active.length} members can take requests`;
    return { status: 'down', reason: limited > 0 ? `${what} (${limited} rate limited)` : what };
  }
  const fine = active.filter((m) => m.state === 'healthy' || m.state === 'idle').length;
  if (fine === active.length) return { status: 'healthy', reason: active.length === 1 ? 'its member is healthy' : `all ${active.length} members healthy` };
  return { status: 'degraded', reason: `${fine} of ${active.length} members healthy` };
}
