/** The failover suite (worker/test/suites/failover.ts) against the Node mode, on each database of OE_NODE_DATABASES. */
import { afterAll, beforeAll, describe } from 'vitest';
import { failoverSuite } from '../suites/failover';
import { nodeDatabases, nodeHarness } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    failoverSuite(h);
  });
}
