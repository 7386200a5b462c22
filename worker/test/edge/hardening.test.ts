/** The hardening suite (worker/test/suites/hardening.ts) against the Worker. */
import { hardeningSuite } from '../suites/hardening';
import { edgeHarness } from './harness';

hardeningSuite(edgeHarness);
