/** The multi-protocol channel suite (worker/test/suites/endpoints.ts) against the Node mode, on each database of OE_NODE_DATABASES. */
import { afterAll, beforeAll, describe } from 'vitest';
import { endpointsSuite } from '../suites/endpoints';
import { nodeDatabases, nodeHarness } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    endpointsSuite(h);
  });
}
