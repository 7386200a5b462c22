/** The log tail suite (worker/test/suites/log-tail.ts) on the Worker with D1 and the group Durable Objects. */
import { logTailSuite } from '../suites/log-tail';
import { edgeHarness } from './harness';

logTailSuite(edgeHarness);
