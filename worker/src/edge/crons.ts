/**
 * Cron expressions of wrangler.toml `[triggers]`, and the job each names. Kept out of the entry
 * module: a Worker's entry may export only handlers and classes.
 */
export const CRON_PRICES = '0 */6 * * *';
export const CRON_MODELS = '15 * * * *';
export const CRON_RETENTION = '30 3 * * *';
