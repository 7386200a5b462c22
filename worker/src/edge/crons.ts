/**
 * Cron expressions of wrangler.toml `[triggers]`, and the job each names. They live with the jobs
 * in sync/jobs.ts (Node's croner runs the same ones); re-exported here for the edge. Kept out of
 * the entry module: a Worker's entry may export only handlers and classes.
 */
export { CRON_HEALTH, CRON_MODELS, CRON_PRICES, CRON_RETENTION } from '../sync/jobs';
