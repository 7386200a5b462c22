/**
 * The pure rules of the scheduled channel health checks (issue 14.6; sync/health-checks.ts runs
 * them): settings defaults and bounds, when a channel is down by its checks, and the state after
 * one result. Pure, shared by routing (members.ts), the cron job and the dashboard.
 */
import type { Channel, ChannelHealthState, HealthCheckConfig } from '../db/types';

/** Defaults and bounds of a check's settings (the admin API validates against them). */
export const HEALTH_CHECK_LIMITS = {
  intervalMinutes: { min: 1, max: 1440, default: 5 },
  failureThreshold: { min: 1, max: 100, default: 3 },
} as const;

/** A check's settings with every default filled in. */
export function checkSettings(c: HealthCheckConfig): HealthCheckConfig {
  return {
    enabled: c.enabled,
    intervalMinutes: c.intervalMinutes ?? HEALTH_CHECK_LIMITS.intervalMinutes.default,
    model: c.model ?? null,
    failureThreshold: c.failureThreshold ?? HEALTH_CHECK_LIMITS.failureThreshold.default,
  };
}

/**
 * Whether the channel's members are out of routing because of its checks: the check is enabled
 * and its last `failureThreshold` results failed. A disabled (or removed) check never keeps a
 * channel down, whatever its stored state says.
 */
export function downByCheck(channel: Pick<Channel, 'healthCheck' | 'healthState'>): boolean {
  return channel.healthCheck?.enabled === true && channel.healthState?.down === true;
}

/**
 * The state after one result: a pass clears the failures and brings the channel back; a failure
 * counts, and the `threshold`-th in a row takes it down (it stays down while failures go on).
 */
export function nextHealthState(prev: ChannelHealthState | null | undefined, ok: boolean, at: number, threshold: number, keyCursor: number): ChannelHealthState {
  if (ok) return { failures: 0, down: false, downSince: null, lastAt: at, lastOk: true, keyCursor };
  const failures = (prev?.failures ?? 0) + 1;
  const down = failures >= threshold;
  const downSince = down ? (prev?.down && prev.downSince !== null ? prev.downSince : at) : null;
  return { failures, down, downSince, lastAt: at, lastOk: false, keyCursor };
}
