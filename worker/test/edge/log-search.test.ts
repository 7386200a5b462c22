/** The log search suite (worker/test/suites/log-search.ts) on the Worker with D1. */
import { logSearchSuite } from '../suites/log-search';
import { edgeHarness } from './harness';

logSearchSuite(edgeHarness);
