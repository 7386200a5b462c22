/**
 * Helpers for integration tests inside workerd: call the Worker, log in as admin, create channels,
 * groups and keys, and script the fake upstream provider over HTTP. The shared suites' tools
 * (worker/test/suites/harness.ts) over the edge harness.
 */
import { tools } from '../suites/harness';
import { edgeHarness } from './harness';

export { ADMIN_PASSWORD, uid } from '../suites/harness';

export const { gateway, login, admin, scenario, received, routeTo } = tools(edgeHarness);
