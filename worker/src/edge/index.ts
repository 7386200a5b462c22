/** Workers entry: the app's fetch handler, the cron syncs, and the GroupObject Durable Object class. */
import { createApp } from '../app';
import { syncAllChannels } from '../sync/channels-sync';
import { syncModelsDevPrices } from '../sync/prices-sync';
import { enforceLogRetention } from '../sync/retention';
import { CRON_MODELS, CRON_PRICES, CRON_RETENTION } from './crons';
import { edgePlatform } from './platform';

export { GroupObject } from './group-object';
export { KeyObject } from './key-object';


const app = createApp((c) => edgePlatform(c.env as Env, c.executionCtx as unknown as ExecutionContext));

export default {
  fetch: app.fetch,
  /** Runs the job a cron trigger names; an unknown expression runs all (so a manual trigger does something). */
  async scheduled(controller, env, ctx) {
    const p = edgePlatform(env, ctx);
    const now = Date.now();
    const known = [CRON_PRICES, CRON_MODELS, CRON_RETENTION].includes(controller.cron);
    const runPrices = !known || controller.cron === CRON_PRICES;
    const runModels = !known || controller.cron === CRON_MODELS;
    const jobs: Promise<unknown>[] = [];
    if (!known || controller.cron === CRON_RETENTION) jobs.push(enforceLogRetention(p.store, now));
    if (runPrices) jobs.push(syncModelsDevPrices(p.store, fetch, p.modelsDevUrl, now));
    if (runModels) jobs.push(syncAllChannels(p.store, p.vault, fetch, now));
    const results = await Promise.allSettled(jobs);
    for (const r of results) if (r.status === 'rejected') p.logger.warn('sync failed', { cron: controller.cron, error: String(r.reason) });
  },
} satisfies ExportedHandler<Env>;
