/** The secrets suite (worker/test/suites/secrets.ts) against the Node mode, on each database of OE_NODE_DATABASES. */
import { afterAll, beforeAll, describe } from 'vitest';
import { secretsSuite } from '../suites/secrets';
import { nodeDatabases, nodeHarness } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    secretsSuite(h);
  });
}
