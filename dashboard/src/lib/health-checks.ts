/** How the channels page shows a channel's scheduled health check (worker/src/routing/check-state.ts). */
import { HEALTH_CHECK_LIMITS } from '$gateway/routing/check-state';
import type { HealthCheckConfig } from '$gateway/db/types';
import type { ChannelView, HealthCheckResult } from './types';
import { fmtMs, fmtTime } from './format';
import { m } from '$lib/paraglide/messages';

export { HEALTH_CHECK_LIMITS };

/** The check's state: its key, in one word (the dashboard's language), with the badge class and a longer explanation. */
export function checkBadge(c: Pick<ChannelView, 'healthCheck' | 'healthState'>): { state: 'off' | 'pending' | 'down' | 'failing' | 'ok'; label: string; tone: string; title: string } {
  const cfg = c.healthCheck;
  const st = c.healthState;
  if (!cfg?.enabled) return { state: 'off', label: m.hc_off(), tone: '', title: m.hc_off_title() };
  if (!st) return { state: 'pending', label: m.hc_pending(), tone: 'badge-violet', title: m.hc_pending_title({ every: minutes(cfg.intervalMinutes) }) };
  if (st.down) {
    return {
      state: 'down', label: m.hc_down(), tone: 'badge-red',
      title: m.hc_down_title({ since: fmtTime(st.downSince), failures: failedChecks(st.failures) }),
    };
  }
  if (st.failures > 0) return { state: 'failing', label: m.hc_failing(), tone: 'badge-amber', title: m.hc_failing_title({ failures: failedChecks(st.failures), threshold: cfg.failureThreshold }) };
  return { state: 'ok', label: m.hc_ok(), tone: 'badge-green', title: m.hc_ok_title({ every: minutes(cfg.intervalMinutes) }) };
}

/** A result as one line of text (tooltips, screen readers). */
export function resultText(r: HealthCheckResult): string {
  const parts = [fmtTime(r.at), r.ok ? m.ch_passed() : m.ch_failed_word(), r.status ? `HTTP ${r.status}` : m.hc_no_response(), fmtMs(r.latencyMs)];
  if (r.keyIndex !== null) parts.push(m.hc_key({ n: r.keyIndex + 1 }));
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

/** "5 minutes", "1 minute" in the dashboard's language. */
function minutes(n: number): string {
  return n === 1 ? m.hc_minutes_one({ n }) : m.hc_minutes_many({ n });
}

/** "3 failed checks", "1 failed check" in the dashboard's language. */
function failedChecks(n: number): string {
  return n === 1 ? m.hc_failed_checks_one({ n }) : m.hc_failed_checks_many({ n });
}
