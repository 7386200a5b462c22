/** The hardening suite (worker/test/suites/hardening.ts) against the Node mode, on each database of OE_NODE_DATABASES:
 * every test on the first, the tests that can depend on the dialect on the others (harness.ts suitePart). */
import { afterAll, beforeAll, describe } from 'vitest';
import { hardeningSuite } from '../suites/hardening';
import { nodeDatabases, nodeHarness, suitePart } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    hardeningSuite(h, suitePart(type));
  });
}
