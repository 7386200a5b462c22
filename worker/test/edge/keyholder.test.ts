/** The key holder page suite (worker/test/suites/keyholder.ts) on the Worker with D1. */
import { keyholderSuite } from '../suites/keyholder';
import { edgeHarness } from './harness';

keyholderSuite(edgeHarness);
