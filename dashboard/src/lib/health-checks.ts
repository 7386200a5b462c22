/** How the channels page shows a channel's scheduled health check (worker/src/routing/check-state.ts). */
import { HEALTH_CHECK_LIMITS } from '$gateway/routing/check-state';
import type { HealthCheckConfig } from '$gateway/db/types';
import type { ChannelView, HealthCheckResult } from './types';
import { fmtMs, fmtTime } from './format';

export { HEALTH_CHECK_LIMITS };

/** The check's state in one word, with the badge class and a longer explanation. */
export function checkBadge(c: Pick<ChannelView, 'healthCheck' | 'healthState'>): { label: string; tone: string; title: string } {
  const cfg = c.healthCheck;
  const st = c.healthState;
  if (!cfg?.enabled) return { label: 'off', tone: '', title: 'No scheduled health check.' };
  if (!st) return { label: 'pending', tone: 'badge-violet', title: `First check within a minute, then every ${plural(cfg.intervalMinutes, 'minute')}.` };
  if (st.down) {
    return {
      label: 'down', tone: 'badge-red',
      title: `Down since ${fmtTime(st.downSince)} after ${plural(st.failures, 'failed check')}: its group members are skipped until a check passes (unless every member of a group is down).`,
    };
  }
  if (st.failures > 0) return { label: 'failing', tone: 'badge-amber', title: `${plural(st.failures, 'failed check')} in a row; down at ${cfg.failureThreshold}.` };
  return { label: 'ok', tone: 'badge-green', title: `Last check passed, every ${plural(cfg.intervalMinutes, 'minute')}.` };
}

/** A result as one line of text (tooltips, screen readers). */
export function resultText(r: HealthCheckResult): string {
  const parts = [fmtTime(r.at), r.ok ? 'passed' : 'failed', r.status ? `HTTP ${r.status}` : 'no response', fmtMs(r.latencyMs)];
  if (r.keyIndex !== null) parts.push(`key ${r.keyIndex + 1}`);
  if (r.error) parts.push(r.error);
  return parts.join(' · ');
}

/** The dialog's fields for a check; numbers as a number input binds them (null when empty). */
export interface CheckForm {
  enabled: boolean;
  intervalMinutes: number | null;
  model: string;
  failureThreshold: number | null;
}

export function checkToForm(cfg: HealthCheckConfig | null): CheckForm {
  return {
    enabled: cfg?.enabled ?? false,
    intervalMinutes: cfg?.intervalMinutes ?? HEALTH_CHECK_LIMITS.intervalMinutes.default,
    model: cfg?.model ?? '',
    failureThreshold: cfg?.failureThreshold ?? HEALTH_CHECK_LIMITS.failureThreshold.default,
  };
}

/**
 * The `healthCheck` to send: null when the channel never had one and it stays off, else the
 * settings with `enabled` (turned off, they are kept for next time). An empty number is sent as 0,
 * so the schema's bounds name the field.
 */
export function checkFromForm(f: CheckForm, had: HealthCheckConfig | null): HealthCheckConfig | null {
  if (!f.enabled && !had) return null;
  const num = (n: number | null) => (n === null || !Number.isFinite(n) ? 0 : n);
  return { enabled: f.enabled, intervalMinutes: num(f.intervalMinutes), model: f.model.trim() || null, failureThreshold: num(f.failureThreshold) };
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
