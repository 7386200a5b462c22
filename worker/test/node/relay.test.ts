/** The relay suite (worker/test/suites/relay.ts) against the Node mode, on each database of OE_NODE_DATABASES:
 * every test on the first, the tests that can depend on the dialect on the others (harness.ts suitePart). */
import { afterAll, beforeAll, describe } from 'vitest';
import { relaySuite } from '../suites/relay';
import { nodeDatabases, nodeHarness, suitePart } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    relaySuite(h, suitePart(type));
  });
}
