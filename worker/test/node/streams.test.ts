/** Hostile upstream bodies (worker/test/suites/streams.ts) against the Node mode, on the first database of OE_NODE_DATABASES
 * only: no test of the suite can depend on the dialect (harness.ts suitePart, wireDatabases). */
import { afterAll, beforeAll, describe } from 'vitest';
import { streamsSuite } from '../suites/streams';
import { nodeHarness, wireDatabases } from './harness';

for (const type of wireDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    streamsSuite(h);
  });
}
