/** The passthrough suite (worker/test/suites/passthrough.ts) against the Worker. */
import { passthroughSuite } from '../suites/passthrough';
import { edgeHarness } from './harness';

passthroughSuite(edgeHarness);
