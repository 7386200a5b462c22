/**
 * Two test projects:
 * - edge: integration tests inside workerd (vitest-pool-workers) against the real wrangler.toml,
 *   with D1 migrations applied and the fake upstream provider started in Node (globalSetup).
 * - node: pure unit tests, the fake upstream's own tests, and end-to-end tests that start the
 *   Worker with wrangler and drive it with the official SDKs.
 */
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';
import { quietWorkerdDisconnects } from './worker/test/quiet-runtime';
import LongFirstSequencer from './worker/test/sequencer';

// workerd prints peers' disconnects (which tests cause on purpose) as uncaught exceptions: see quiet-runtime.ts.
quietWorkerdDisconnects();

/**
 * Files that run alone, after the rest: each drives a real gateway hard enough to fill the CPU
 * (journal-kill: 100 req/s into a child process; golden and dev-streams: thousands of writes through
 * `wrangler dev`; db-outage: child processes against cut databases) and bounds what it measures on
 * time. Beside two other files they failed (journal-kill's loss bound, dev-streams' deadline).
 * stop-signal too: it starts `npm start` (wrangler + workerd) and checks that the password block is
 * the last output; beside another file, late wrangler lines came after it (CI of 17:35).
 */
const ALONE = ['worker/test/node/journal-kill.test.ts', 'worker/test/e2e/golden.test.ts', 'worker/test/e2e/dev-streams.test.ts', 'worker/test/node/db-outage.test.ts', 'worker/test/node/stop-signal.test.ts'];

export default defineConfig({
  test: {
    // Console output (the gateway's expected warnings: failed logins, flush retries) is shown for
    // failing tests only.
    silent: 'passed-only',
    // Test files at once, both projects together (OE_TEST_WORKERS overrides). vitest's default on 2
    // cores is 1 (cores − 1): one file after the other, the CPU idle while a file waits on
    // `wrangler dev`, a database, a child process or a timer. Files share nothing that collides:
    // each edge file has its own workerd with in-memory D1 and Durable Objects, each Node file its
    // own scratch database (createScratch) and free ports, each end-to-end file its own gateway.
    maxWorkers: Number(process.env.OE_TEST_WORKERS) || 2,
    // The files that take minutes start first, so none of them is the run's tail (worker/test/sequencer.ts).
    sequence: { sequencer: LongFirstSequencer },
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                ADMIN_PASSWORD: 'test-admin-password',
                ENCRYPTION_KEY: 'test-encryption-key-0123456789',
                TEST_MIGRATIONS: await readD1Migrations('./migrations/sqlite'),
                UPSTREAM_URL: inject('upstreamUrl'),
                MODELS_DEV_URL: inject('modelsDevUrl'),
              },
            },
          })),
        ],
        test: {
          name: 'edge',
          include: ['worker/test/edge/**/*.test.ts'],
          // Each request crosses D1, a Durable Object and a loopback upstream: seconds, not ms, on a busy 2-core box.
          testTimeout: 30_000,
          setupFiles: ['./worker/test/edge/apply-migrations.ts'],
          globalSetup: ['./worker/test/global-upstream.ts'],
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['worker/test/unit/**/*.test.ts', 'worker/test/upstream/**/*.test.ts', 'worker/test/e2e/**/*.test.ts', 'worker/test/node/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ALONE],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The Node gateway bundled once for the child-process tests (worker/test/node-bundle.ts).
          globalSetup: ['./worker/test/node-bundle.ts'],
        },
      },
      {
        // The CPU-bound files that measure under load, one at a time after all the others.
        test: {
          name: 'node-alone',
          environment: 'node',
          include: ALONE,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['./worker/test/node-bundle.ts'],
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
        },
      },
    ],
  },
});
