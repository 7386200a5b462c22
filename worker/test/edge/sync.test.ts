/** The sync suite (worker/test/suites/sync.ts: prices and cost, channel model lists, cron routing) against the Worker. */
import { syncSuite } from '../suites/sync';
import { edgeHarness } from './harness';

syncSuite(edgeHarness);
