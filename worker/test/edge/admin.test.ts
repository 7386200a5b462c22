/** The admin API suite (worker/test/suites/admin.ts) against the Worker. */
import { adminSuite } from '../suites/admin';
import { edgeHarness } from './harness';

adminSuite(edgeHarness);
