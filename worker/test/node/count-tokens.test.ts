/** The token-count suite (worker/test/suites/count-tokens.ts) against the Node mode, on the first database of OE_NODE_DATABASES
 * only: no test of the suite can depend on the dialect (harness.ts suitePart, wireDatabases). */
import { afterAll, beforeAll, describe } from 'vitest';
import { countTokensSuite } from '../suites/count-tokens';
import { nodeHarness, wireDatabases } from './harness';

for (const type of wireDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    countTokensSuite(h);
  });
}
