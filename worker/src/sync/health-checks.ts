/**
 * Scheduled channel health checks (issue 14.6). A channel may carry a check (db/types.ts
 * HealthCheckConfig): every `intervalMinutes` the cron (every minute: sync/jobs.ts CRON_HEALTH)
 * sends the channel's tiny ping (sync/channel-probe.ts) with its next enabled key, round-robin,
 * records the result in the channel's history and its running state. After `failureThreshold`
 * consecutive failures the channel is "down by check": routing skips its members
 * (routing/members.ts) until a later check passes. A flip of that state is a configuration write,
 * so every relay snapshot reloads (config/snapshot.ts); other results are not.
 *
 * Never billed: no client key is involved, and nothing is written to request logs or stats; the
 * history table is the only record. Runtime-neutral (no Cloudflare or Node import).
 */
import type { Channel, ChannelCheckResult, ChannelHealthState } from '../db/types';
import type { Store } from '../db/store';
import type { StoredProxy } from '../lib/proxy';
import type { Logger } from '../platform';
import { probeChannel, type ProbePlatform } from './channel-probe';
import { checkSettings, nextHealthState } from '../routing/check-state';

/** One check's bound on the whole upstream call (headers and body), ms: well under the cron's minute. */
export const CHECK_TIMEOUT_MS = 15_000;
/** Checks in flight at once in one cron run. */
export const CHECK_CONCURRENCY = 4;
/**
 * Most checks one cron run starts (the most overdue first; the rest are due at the next minute):
 * with the timeout and concurrency above a run ends within about a minute, whatever the upstreams do.
 */
export const MAX_CHECKS_PER_RUN = 16;
/** Results kept per channel (older ones are pruned when a result is written). */
export const CHECK_HISTORY_KEEP = 50;
/** A check is due this much before its interval has passed: the cron fires a little early or late, ms. */
const DUE_SLACK_MS = 20_000;
/** Longest error text kept in the history, characters. */
const ERROR_CHARS = 300;

/** What the checks need of the Platform. */
export type HealthPlatform = ProbePlatform & { store: Store };

/** How a check runs. */
export interface CheckOptions {
  /** The gateway's proxy setting (used for channels without their own). */
  globalProxy: StoredProxy | null;
  /** ms since epoch, for latencies. Default Date.now. */
  clock?: () => number;
  /** Bound on one check's upstream call, ms. Default CHECK_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * Whether the channel's check should run at `now` (ms): the channel and its check are enabled, it
 * has an enabled key, and its last check started at least `intervalMinutes` ago (or never ran).
 */
export function checkDue(channel: Channel, now: number): boolean {
  const cfg = channel.healthCheck;
  if (!channel.enabled || !cfg?.enabled || !channel.keys.some((k) => k.enabled)) return false;
  const last = channel.healthState?.lastAt;
  return last === undefined || now - last >= checkSettings(cfg).intervalMinutes * 60_000 - DUE_SLACK_MS;
}

/** What one check did. */
export interface CheckOutcome {
  result: ChannelCheckResult;
  state: ChannelHealthState;
  /** The channel went down or came back with this result. */
  changed: boolean;
}

/**
 * Runs one check of `channel` now and records it (history and state). The key is the channel's
 * next enabled key after the one the previous check used (round-robin); the result names it by id
 * only. A probe that cannot be sent (a key that cannot be decrypted, a proxy on the Worker) or a
 * channel without a model to ask is a failed check: the relay could not use the channel either.
 * @param at ms since epoch when the check starts (recorded as its time).
 * @returns null when the channel has no enabled key (nothing to check, nothing recorded).
 * @throws the store's error when the result cannot be written.
 */
export async function checkChannel(p: HealthPlatform, channel: Channel, at: number, opts: CheckOptions): Promise<CheckOutcome | null> {
  const keys = channel.keys.filter((k) => k.enabled);
  if (keys.length === 0) return null;
  const cfg = checkSettings(channel.healthCheck ?? { enabled: false, intervalMinutes: 0, model: null, failureThreshold: 0 });
  const prev = channel.healthState;
  const index = (prev?.keyCursor ?? 0) % keys.length;
  const key = keys[index]!;
  const model = cfg.model ?? channel.models[0] ?? '';
  let ok: boolean;
  let status = 0;
  let latencyMs = 0;
  let error: string | null;
  if (!model) {
    ok = false;
    error = 'The channel has no models and the check names none: set a model in the check settings.';
  } else {
    const probe = await probeChannel(p, channel, key, model, { globalProxy: opts.globalProxy, timeoutMs: opts.timeoutMs ?? CHECK_TIMEOUT_MS, clock: opts.clock ?? Date.now });
    if ('refused' in probe) {
      ok = false;
      error = probe.refused;
    } else {
      ({ ok, status, latencyMs } = probe);
      error = probe.ok ? null : (probe.error ?? `HTTP ${probe.status}`);
    }
  }
  const result: ChannelCheckResult = {
    channelId: channel.id, at, ok, latencyMs, status, model, keyId: key.id, error: error === null ? null : error.slice(0, ERROR_CHARS),
  };
  const state = nextHealthState(prev, ok, at, cfg.failureThreshold, (index + 1) % keys.length);
  const changed = (prev?.down ?? false) !== state.down;
  await p.store.recordChannelCheck(result, state, { keep: CHECK_HISTORY_KEEP, routingChanged: changed });
  return { result, state, changed };
}

/** What a cron run of the checks did. */
export interface HealthRunSummary {
  /** Checks run (recorded). */
  checked: number;
  /** Of those, how many failed. */
  failed: number;
  /** Channels that went down or came back. */
  changed: number[];
  /** Due checks left for the next run (over MAX_CHECKS_PER_RUN). */
  deferred: number;
}

/**
 * The cron's job: runs every due check (the most overdue first, at most MAX_CHECKS_PER_RUN, at
 * most CHECK_CONCURRENCY at once). A check whose result cannot be recorded is logged and skipped;
 * never throws for one channel.
 * @param now ms since epoch (the scheduled time).
 * @throws the store's error when the channel list cannot be read.
 */
export async function runHealthChecks(
  p: HealthPlatform & { logger: Logger }, now: number, opts: CheckOptions,
): Promise<HealthRunSummary> {
  const due = (await p.store.listChannels()).filter((c) => checkDue(c, now))
    .sort((a, b) => (a.healthState?.lastAt ?? -1) - (b.healthState?.lastAt ?? -1) || a.id - b.id);
  const batch = due.slice(0, MAX_CHECKS_PER_RUN);
  const summary: HealthRunSummary = { checked: 0, failed: 0, changed: [], deferred: due.length - batch.length };
  let next = 0;
  const worker = async () => {
    while (next < batch.length) {
      const channel = batch[next++]!;
      try {
        const out = await checkChannel(p, channel, now, opts);
        if (!out) continue;
        summary.checked += 1;
        if (!out.result.ok) summary.failed += 1;
        if (out.changed) {
          summary.changed.push(channel.id);
          p.logger.warn(out.state.down ? 'channel down by health check: its members are skipped' : 'channel back up by health check', {
            channelId: channel.id, failures: out.state.failures, status: out.result.status,
          });
        }
      } catch (err) {
        p.logger.warn('health check not recorded', { channelId: channel.id, error: (err instanceof Error ? err.message : String(err)).slice(0, 300) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, batch.length) }, worker));
  return summary;
}
