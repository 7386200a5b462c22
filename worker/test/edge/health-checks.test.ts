/** The health checks suite (worker/test/suites/health-checks.ts) against the Worker: cron trigger, D1, group Durable Objects. */
import { healthChecksSuite } from '../suites/health-checks';
import { edgeHarness } from './harness';

healthChecksSuite(edgeHarness);
