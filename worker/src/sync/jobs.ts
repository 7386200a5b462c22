/**
 * The scheduled jobs and which cron expression runs which, for every runtime: the Worker's
 * `scheduled` handler (edge/index.ts) and Node's croner jobs (node/cron.ts) both call
 * `runScheduledJobs`. Web-standard fetch only; no Cloudflare or Node import.
 */
import type { Platform } from '../platform';
import { syncAllChannels } from './channels-sync';
import { syncModelsDevPrices } from './prices-sync';
import { proxyFetcher } from './proxy-fetch';
import { enforceLogRetention } from './retention';
import { runHealthChecks } from './health-checks';
import { loadSettings } from '../settings';

/** models.dev prices: checked every hour, run when `priceSyncIntervalHours` have passed since the last run. */
export const CRON_PRICES = '0 * * * *';
/** Channel model lists: checked every hour at :15, run when `modelSyncIntervalHours` have passed. */
export const CRON_MODELS = '15 * * * *';
/** Request-log retention daily at 03:30 UTC. */
export const CRON_RETENTION = '30 3 * * *';
/** Channel health checks (sync/health-checks.ts): every minute, each channel checked when its own interval is due. */
export const CRON_HEALTH = '* * * * *';
/** Every expression, in the order wrangler.toml `[triggers]` lists them. */
export const CRON_EXPRESSIONS = [CRON_PRICES, CRON_MODELS, CRON_RETENTION, CRON_HEALTH] as const;

/** The parts of a Platform the jobs use (`callUpstream`: the health checks' calls go out as the relay's do). */
export type JobPlatform = Pick<Platform, 'store' | 'vault' | 'modelsDevUrl' | 'logger' | 'outboundProxy' | 'callUpstream'>;

/**
 * Runs the jobs a cron expression names; an unknown expression runs all (so a manual trigger does
 * something). A failing job is logged and does not stop the others; never throws.
 * @param now ms since epoch (the scheduled time).
 * @returns how many jobs ran and how many failed.
 */
export async function runScheduledJobs(p: JobPlatform, cron: string, now: number, fetchFn: typeof fetch = fetch): Promise<{ ran: number; failed: number }> {
  const known = (CRON_EXPRESSIONS as readonly string[]).includes(cron);
  const jobs: Promise<unknown>[] = [];
  const { priceSyncIntervalHours, modelSyncIntervalHours, proxy } = await loadSettings(p.store).catch(() => DEFAULT_INTERVALS);
  // Upstream calls go through the channel's outbound proxy, else the global one (Node mode).
  const fetchFor = proxyFetcher(p, proxy, fetchFn);
  if (!known || cron === CRON_RETENTION) jobs.push(enforceLogRetention(p.store, now));
  if (!known || (cron === CRON_PRICES && (await pricesDue(p, priceSyncIntervalHours, now)))) {
    jobs.push(fetchFor(null).then((f) => syncModelsDevPrices(p.store, f, p.modelsDevUrl, now)));
  }
  if (!known || (cron === CRON_MODELS && (await modelsDue(p, modelSyncIntervalHours, now)))) jobs.push(syncAllChannels(p.store, p.vault, fetchFn, now, fetchFor));
  if (!known || cron === CRON_HEALTH) jobs.push(runHealthChecks(p, now, { globalProxy: proxy }));
  const results = await Promise.allSettled(jobs);
  let failed = 0;
  for (const r of results) {
    if (r.status === 'rejected') {
      failed += 1;
      p.logger.warn('sync failed', { cron, error: String(r.reason) });
    }
  }
  return { ran: jobs.length, failed };
}

const DEFAULT_INTERVALS = { priceSyncIntervalHours: 6, modelSyncIntervalHours: 1, proxy: null };

/** A job is due this much before its interval has passed: triggers fire a little early or late. */
const DUE_SLACK_MS = 5 * 60_000;

function isDue(lastRunAt: number | undefined, intervalHours: number, now: number): boolean {
  return lastRunAt === undefined || now - lastRunAt >= intervalHours * 3_600_000 - DUE_SLACK_MS;
}

/** Whether the models.dev price sync is due (its last run, ok or not, is `priceSyncIntervalHours` old). */
async function pricesDue(p: JobPlatform, intervalHours: number, now: number): Promise<boolean> {
  const state = (await p.store.listSyncState()).find((s) => s.key === 'prices');
  return isDue(state?.lastRunAt, intervalHours, now);
}

/**
 * Whether the model-list sync is due: some existing channel was never synced, or the oldest
 * channel sync is `modelSyncIntervalHours` old (a manual sync of one channel does not delay the others).
 */
async function modelsDue(p: JobPlatform, intervalHours: number, now: number): Promise<boolean> {
  const [channels, states] = await Promise.all([p.store.listChannels(), p.store.listSyncState()]);
  const last = new Map(states.map((s) => [s.key, s.lastRunAt]));
  return channels.some((c) => c.enabled && isDue(last.get(`channel:${c.id}`), intervalHours, now));
}
