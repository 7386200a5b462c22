/**
 * How the dashboard shows health (GET /groups/health, worker/src/admin/groups-health.ts): badge
 * words and colours for member, channel and group states, and a member's last problem in plain
 * words with the browser's clock (worker/src/routing/plain-error.ts). Breaker terms stay in tooltips.
 */
import type { GroupStatus, MemberState } from '$gateway/routing/status';
import { describeMemberProblem, type PlainError } from '$gateway/routing/plain-error';
import type { MemberHealthView } from './types';
import { m } from '$lib/paraglide/messages';
import { currentLocale } from './i18n';
import { intlLocale } from './locale';

/**
 * A badge whose words are read when drawn (getters), in the dashboard's language: message calls at
 * module load could run before lib/i18n.ts has settled the locale.
 */
function badge(text: () => string, cls: string, meaning: () => string): { text: string; cls: string; meaning: string } {
  return { get text() { return text(); }, cls, get meaning() { return meaning(); } };
}

/** Badge of a member's (or channel's) state: label, colour class, what it means. */
export const STATE_BADGE: Record<MemberState, { text: string; cls: string; meaning: string }> = {
  healthy: badge(m.health_healthy, 'badge-green', m.health_healthy_meaning),
  idle: badge(m.health_idle, 'badge-zinc', m.health_idle_meaning),
  degraded: badge(m.health_degraded, 'badge-amber', m.health_degraded_meaning),
  'rate-limited': badge(m.health_rate_limited, 'badge-orange', m.health_rate_limited_meaning),
  down: badge(m.health_down, 'badge-red', m.health_down_meaning),
  disabled: badge(m.health_disabled, 'badge-zinc', m.health_disabled_meaning),
};

/** Badge of a group's status. */
export const GROUP_BADGE: Record<GroupStatus, { text: string; cls: string }> = {
  healthy: badge(m.health_healthy, 'badge-green', m.health_healthy_meaning),
  degraded: badge(m.health_degraded, 'badge-amber', m.health_degraded_meaning),
  down: badge(m.health_down, 'badge-red', m.health_down_meaning),
};

/** Local HH:MM of ms since epoch. */
export function clockOf(ms: number): string {
  return new Date(ms).toLocaleTimeString(intlLocale(currentLocale()), { hour: '2-digit', minute: '2-digit' });
}

/** The member's last problem in plain words, retry times on the browser's clock. */
export function memberProblem(h: MemberHealthView | undefined, now: number): PlainError | null {
  return h ? describeMemberProblem(h, now, clockOf) : null;
}

/** Tooltip of a member's state badge: why, then the breaker's own terms and the keys. */
export function stateTooltip(h: MemberHealthView): string {
  const lines = [`${STATE_BADGE[h.state].meaning} ${h.reason[0]!.toUpperCase()}${h.reason.slice(1)}.`];
  // The breaker's phase stays in its own terms (closed, open, half-open): the README and the logs use them.
  const extra = [h.consecutiveFailures > 0 ? m.health_failures_in_row({ n: h.consecutiveFailures }) : '', h.phase === 'open' ? m.health_until({ time: new Date(h.cooldownUntil).toLocaleTimeString(intlLocale(currentLocale())) }) : ''].filter(Boolean);
  lines.push(m.health_breaker({ phase: h.phase, extra: extra.map((x) => m.health_sep() + x).join('') }));
  if (h.keys.rateLimited + h.keys.unauthorised > 0) lines.push(m.health_keys({ total: h.keys.total, limited: h.keys.rateLimited, refused: h.keys.unauthorised }));
  return lines.join('\n');
}
