/** The token-count suite (worker/test/suites/count-tokens.ts) against the Worker. */
import { countTokensSuite } from '../suites/count-tokens';
import { edgeHarness } from './harness';

countTokensSuite(edgeHarness);
