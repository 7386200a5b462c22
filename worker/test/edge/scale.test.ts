/** The scale suite (worker/test/suites/scale.ts) against the Worker: D1 binds at most 100 values a statement. */
import { scaleSuite } from '../suites/scale';
import { edgeHarness } from './harness';

scaleSuite(edgeHarness);
