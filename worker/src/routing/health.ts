/**
 * Applies a request's report to the routing state. Pure.
 * - ok: the member's breaker closes; a sticky session is (re)bound to it.
 * - 401/403/429: the key cools down alone (Retry-After or a default); the member is not blamed,
 *   since the channel's other keys may work. A channel left without keys is not routable anyway.
 * - other channel faults: the member's breaker counts them (and Retry-After sets its cooldown).
 * - client faults and client aborts say nothing about the member; a half-open probe's lease is released.
 * - planned members never tried release their probe lease.
 */
import { closedBreaker, onFailure, onSuccess, phaseOf, type BreakerSettings } from './breaker';
import type { GroupHealth, KeyCooldown, MemberHealth, RoutingReport, RoutingState } from './types';
import type { WindowSummary } from './window';

/** Default key cooldowns, ms: an unauthorised key will not heal by itself; a rate limit soon will. */
export const KEY_COOLDOWN_AUTH_MS = 10 * 60_000;
export const KEY_COOLDOWN_RATE_MS = 60_000;
/** Upper bound of the sticky map, to keep the object's storage small. */
export const STICKY_MAX = 5000;

export function applyReport(state: RoutingState, report: RoutingReport, now: number): RoutingState {
  const s = report.settings;
  const breakerSettings: BreakerSettings = { threshold: s.breakerThreshold, baseMs: s.breakerBaseMs, capMs: s.breakerCapMs };
  const breakers = { ...state.breakers };
  const keyCooldowns = { ...state.keyCooldowns };
  const keyCooldownCauses = { ...state.keyCooldownCauses };
  let sticky = state.sticky;

  for (const id of report.untried) {
    const b = breakers[id];
    if (b && b.probeUntil) breakers[id] = { ...b, probeUntil: 0 };
  }
  for (const o of report.outcomes) {
    const b = breakers[o.memberId] ?? closedBreaker();
    if (o.kind === 'ok') {
      breakers[o.memberId] = onSuccess(b, now, o.status);
      if (report.session && s.stickyTtlMs > 0) sticky = bindSticky(sticky, report.session, o.memberId, now + s.stickyTtlMs, now);
    } else if (o.kind === 'client' || o.kind === 'aborted') {
      breakers[o.memberId] = { ...b, probeUntil: 0 };
    } else if (o.status === 401 || o.status === 403 || o.status === 429) {
      const wait = o.retryAfterMs ?? (o.status === 429 ? KEY_COOLDOWN_RATE_MS : KEY_COOLDOWN_AUTH_MS);
      const key = `${o.channelId}:${o.keyId}`;
      keyCooldowns[key] = now + Math.min(wait, Math.max(s.breakerCapMs, KEY_COOLDOWN_AUTH_MS));
      keyCooldownCauses[key] = o.status;
      breakers[o.memberId] = { ...b, probeUntil: 0, lastStatus: o.status, lastError: o.error ?? null, lastAt: now };
    } else {
      breakers[o.memberId] = onFailure(b, now, breakerSettings, o.status, o.error ?? null, o.retryAfterMs);
    }
  }
  for (const [k, until] of Object.entries(keyCooldowns)) if (until <= now) delete keyCooldowns[k];
  for (const k of Object.keys(keyCooldownCauses)) if (!(k in keyCooldowns)) delete keyCooldownCauses[k];
  return { ...state, breakers, keyCooldowns, keyCooldownCauses, sticky };
}

function bindSticky(map: RoutingState['sticky'], session: string, memberId: number, until: number, now: number): RoutingState['sticky'] {
  const out: RoutingState['sticky'] = {};
  for (const [k, v] of Object.entries(map)) if (v.until > now) out[k] = v;
  out[session] = { memberId, until };
  const keys = Object.keys(out);
  if (keys.length > STICKY_MAX) {
    keys.sort((a, b) => out[a]!.until - out[b]!.until);
    for (const k of keys.slice(0, keys.length - STICKY_MAX)) delete out[k];
  }
  return out;
}

/**
 * Live health of a group: per member id its breaker and, when given, its recent traffic
 * (`recent`, from routing/window.ts; a member with traffic but no breaker yet shows a closed one);
 * and the keys cooling down at `now` with their cause (401, 403, 429; 0 when the state predates causes).
 */
export function healthView(state: RoutingState, now: number, recent: Record<string, WindowSummary> = {}): GroupHealth {
  const members: Record<string, MemberHealth> = {};
  for (const [id, b] of Object.entries(state.breakers)) {
    members[id] = {
      phase: phaseOf(b, now), consecutiveFailures: b.failures, cooldownUntil: b.until,
      lastStatus: b.lastStatus, lastError: b.lastError, lastAt: b.lastAt,
      ...(recent[id] && { recent: recent[id] }),
    };
  }
  for (const [id, r] of Object.entries(recent)) {
    members[id] ??= { phase: 'closed', consecutiveFailures: 0, cooldownUntil: 0, lastStatus: 0, lastError: null, lastAt: 0, recent: r };
  }
  const keys: Record<string, KeyCooldown> = {};
  for (const [k, until] of Object.entries(state.keyCooldowns)) {
    if (until > now) keys[k] = { until, status: state.keyCooldownCauses?.[k] ?? 0 };
  }
  return { members, keys };
}
