/**
 * How the dashboard shows health (GET /groups/health, worker/src/admin/groups-health.ts): badge
 * words and colours for member, channel and group states, and a member's last problem in plain
 * words with the browser's clock (worker/src/routing/plain-error.ts). Breaker terms stay in tooltips.
 */
import type { GroupStatus, MemberState } from '$gateway/routing/status';
import { describeMemberProblem, type PlainError } from '$gateway/routing/plain-error';
import type { MemberHealthView } from './types';

/** Badge of a member's (or channel's) state: label, colour class, what it means. */
export const STATE_BADGE: Record<MemberState, { text: string; cls: string; meaning: string }> = {
  healthy: { text: 'healthy', cls: 'badge-green', meaning: 'Recent attempts succeed.' },
  idle: { text: 'no traffic', cls: 'badge-zinc', meaning: 'No attempt in the last 15 minutes: nothing to judge.' },
  degraded: { text: 'degraded', cls: 'badge-amber', meaning: 'Some recent attempts fail; it still takes requests.' },
  'rate-limited': { text: 'rate limited', cls: 'badge-orange', meaning: 'The upstream answers 429: its keys wait before the next try.' },
  down: { text: 'down', cls: 'badge-red', meaning: 'Not tried until it recovers.' },
  disabled: { text: 'disabled', cls: 'badge-zinc', meaning: 'Switched off.' },
};

/** Badge of a group's status. */
export const GROUP_BADGE: Record<GroupStatus, { text: string; cls: string }> = {
  healthy: { text: 'healthy', cls: 'badge-green' },
  degraded: { text: 'degraded', cls: 'badge-amber' },
  down: { text: 'down', cls: 'badge-red' },
};

/** Local HH:MM of ms since epoch. */
export function clockOf(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The member's last problem in plain words, retry times on the browser's clock. */
export function memberProblem(h: MemberHealthView | undefined, now: number): PlainError | null {
  return h ? describeMemberProblem(h, now, clockOf) : null;
}

/** Tooltip of a member's state badge: why, then the breaker's own terms and the keys. */
export function stateTooltip(h: MemberHealthView): string {
  const lines = [`${STATE_BADGE[h.state].meaning} ${h.reason[0]!.toUpperCase()}${h.reason.slice(1)}.`];
  lines.push(`Circuit breaker: ${h.phase}${h.consecutiveFailures > 0 ? `, ${h.consecutiveFailures} failure(s) in a row` : ''}${h.phase === 'open' ? `, until ${new Date(h.cooldownUntil).toLocaleTimeString()}` : ''}.`);
  if (h.keys.rateLimited + h.keys.unauthorised > 0) lines.push(`Keys: ${h.keys.total} enabled, ${h.keys.rateLimited} cooling after 429, ${h.keys.unauthorised} refused (401/403).`);
  return lines.join('\n');
}
