/**
 * The hardening suite (worker/test/suites/hardening.ts) against the Worker, through the runtime's
 * loopback: client aborts must be real disconnects that the runtime turns into handler cancellation.
 */
import { hardeningSuite } from '../suites/hardening';
import { edgeRuntimeHarness } from './harness';

hardeningSuite(edgeRuntimeHarness);
