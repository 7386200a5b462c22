/** The model names suite (worker/test/suites/model-names.ts) against the Node mode, on each database of OE_NODE_DATABASES. */
import { afterAll, beforeAll, describe } from 'vitest';
import { modelNamesSuite } from '../suites/model-names';
import { nodeDatabases, nodeHarness } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    modelNamesSuite(h);
  });
}
