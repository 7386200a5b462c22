/** The unsaved-channel test and model list suite (worker/test/suites/channel-draft.ts) against the Node mode, on each database of OE_NODE_DATABASES. */
import { afterAll, beforeAll, describe } from 'vitest';
import { channelDraftSuite } from '../suites/channel-draft';
import { nodeDatabases, nodeHarness } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    channelDraftSuite(h);
  });
}
