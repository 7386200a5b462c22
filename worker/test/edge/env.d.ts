/** Bindings the edge test project adds (vitest.config.ts). */
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    /** Base URL of the fake upstream provider, e.g. http://127.0.0.1:40123 */
    UPSTREAM_URL: string;
  }
}
