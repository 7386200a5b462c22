/** The secrets suite (worker/test/suites/secrets.ts) against the Worker. */
import { secretsSuite } from '../suites/secrets';
import { edgeHarness } from './harness';

secretsSuite(edgeHarness);
