/** The passthrough suite (worker/test/suites/passthrough.ts) against the Node mode, on each database of OE_NODE_DATABASES. */
import { afterAll, beforeAll, describe } from 'vitest';
import { passthroughSuite } from '../suites/passthrough';
import { nodeDatabases, nodeHarness } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    passthroughSuite(h);
  });
}
