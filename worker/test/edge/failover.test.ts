/** The failover suite (worker/test/suites/failover.ts) against the Worker's group Durable Objects. */
import { failoverSuite } from '../suites/failover';
import { edgeHarness } from './harness';

failoverSuite(edgeHarness);
