/** The log tail suite (worker/test/suites/log-tail.ts) on the Node mode, on each database of OE_NODE_DATABASES; and a graceful stop ends open tails. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logTailSuite } from '../suites/log-tail';
import { tools } from '../suites/harness';
import { nodeDatabases, nodeHarness } from './harness';

for (const type of nodeDatabases()) {
  describe(`node-${type}`, () => {
    const h = nodeHarness(type);
    beforeAll(h.setup);
    afterAll(h.teardown);
    logTailSuite(h);
  });
}

describe('node: a graceful stop with a live tail open', () => {
  const h = nodeHarness('sqlite');
  beforeAll(h.setup);
  afterAll(h.teardown);

  it('ends the tail cleanly instead of waiting for the shutdown cap', async () => {
    const cookie = await tools(h).login();
    const res = await h.fetch('/api/v1/logs/tail', { headers: { cookie } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false); // the opening comment
    const drained = (async () => {
      for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return true;
    })();
    const result = await h.gateway().close();
    // Drained: the server closed with no open connection left, well before the 30 s cap.
    expect(result.requestsDrained).toBe(true);
    expect(await drained).toBe(true);
  });
});
