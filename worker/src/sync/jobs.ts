/**
 * The scheduled jobs and which cron expression runs which, for every runtime: the Worker's
 * `scheduled` handler (edge/index.ts) and Node's croner jobs (node/cron.ts) both call
 * `runScheduledJobs`. Web-standard fetch only; no Cloudflare or Node import.
 */
import type { Platform } from '../platform';
import { syncAllChannels } from './channels-sync';
import { syncModelsDevPrices } from './prices-sync';
import { enforceLogRetention } from './retention';

/** models.dev prices every 6 hours. */
export const CRON_PRICES = '0 */6 * * *';
/** Channel model lists every hour at :15. */
export const CRON_MODELS = '15 * * * *';
/** Request-log retention daily at 03:30 UTC. */
export const CRON_RETENTION = '30 3 * * *';
/** Every expression, in the order wrangler.toml `[triggers]` lists them. */
export const CRON_EXPRESSIONS = [CRON_PRICES, CRON_MODELS, CRON_RETENTION] as const;

/** The parts of a Platform the jobs use. */
export type JobPlatform = Pick<Platform, 'store' | 'vault' | 'modelsDevUrl' | 'logger'>;

/**
 * Runs the jobs a cron expression names; an unknown expression runs all (so a manual trigger does
 * something). A failing job is logged and does not stop the others; never throws.
 * @param now ms since epoch (the scheduled time).
 * @returns how many jobs ran and how many failed.
 */
export async function runScheduledJobs(p: JobPlatform, cron: string, now: number, fetchFn: typeof fetch = fetch): Promise<{ ran: number; failed: number }> {
  const known = (CRON_EXPRESSIONS as readonly string[]).includes(cron);
  const jobs: Promise<unknown>[] = [];
  if (!known || cron === CRON_RETENTION) jobs.push(enforceLogRetention(p.store, now));
  if (!known || cron === CRON_PRICES) jobs.push(syncModelsDevPrices(p.store, fetchFn, p.modelsDevUrl, now));
  if (!known || cron === CRON_MODELS) jobs.push(syncAllChannels(p.store, p.vault, fetchFn, now));
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
