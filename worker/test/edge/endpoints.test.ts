/** The multi-protocol channel suite (worker/test/suites/endpoints.ts) against the Worker. */
import { endpointsSuite } from '../suites/endpoints';
import { edgeHarness } from './harness';

endpointsSuite(edgeHarness);
