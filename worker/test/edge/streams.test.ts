/** Hostile upstream bodies (worker/test/suites/streams.ts) against the Worker. */
import { streamsSuite } from '../suites/streams';
import { edgeHarness } from './harness';

streamsSuite(edgeHarness);
