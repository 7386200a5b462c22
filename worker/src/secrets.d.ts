/** Secrets of the Worker (`wrangler secret put`, or `.dev.vars` locally) and optional bindings; not in wrangler.toml. */
declare namespace Cloudflare {
  interface Env {
    /** Admin login password until one is set from the dashboard. No default. */
    ADMIN_PASSWORD?: string;
    /** Encrypts channel keys at rest (AES-GCM, key derived with HKDF). At least 16 characters. */
    ENCRYPTION_KEY?: string;
    /** "Stats save interval": how often each group object flushes logs and stats to D1, ms (default 60000). */
    STATS_FLUSH_INTERVAL_MS?: string;
    /** Where the price sync reads models.dev (default https://models.dev/api.json). */
    MODELS_DEV_URL?: string;
    /**
     * Set by `npm start` only (a random value per run, never in production): the secret its front
     * proxy (scripts/dev-proxy.mjs) sends in `x-octopus-dev-proxy`, see edge/client-address.ts.
     */
    DEV_PROXY_SECRET?: string;
    /**
     * Optional Workers Analytics Engine dataset (an `[[analytics_engine_datasets]]` binding named
     * METRICS in wrangler.toml): each written request record becomes one data point
     * (edge/analytics.ts). Absent: nothing is written.
     */
    METRICS?: AnalyticsEngineDataset;
  }
}
