/** The relay suite (worker/test/suites/relay.ts) against the Worker. */
import { relaySuite } from '../suites/relay';
import { edgeHarness } from './harness';

relaySuite(edgeHarness);
