/** The backup suite (worker/test/suites/backup.ts) against the Worker (D1). */
import { backupSuite } from '../suites/backup';
import { edgeHarness } from './harness';

backupSuite(edgeHarness);
