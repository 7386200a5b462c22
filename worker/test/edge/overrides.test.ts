/** The request overrides suite (worker/test/suites/overrides.ts) against the Worker. */
import { overridesSuite } from '../suites/overrides';
import { edgeHarness } from './harness';

overridesSuite(edgeHarness);
