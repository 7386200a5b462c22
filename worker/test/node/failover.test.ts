/** The failover suite (worker/test/suites/failover.ts) against the Node mode, on each database of OE_NODE_DATABASES:
 * every test on the first, the tests that can depend on the dialect on the others (harness.ts suitePart). */
import { afterAll, beforeAll, describe } from 'vitest';
import { failoverSuite } from '../suites/failover';
import { nodeDatabases, nodeHarness, suitePart } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    failoverSuite(h, suitePart(type));
  });
}
