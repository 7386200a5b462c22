/**
 * The shared integration suites' Harness (worker/test/suites/harness.ts) for the Worker under
 * vitest-pool-workers: the Worker's own fetch, D1 for SQL, the group Durable Objects' storage and
 * alarms, `abortAllDurableObjects` for a restart and the Worker's `scheduled` for cron.
 */
import { env, exports } from 'cloudflare:workers';
import {
  abortAllDurableObjects, createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext,
} from 'cloudflare:test';
import worker from '../../src/edge/index';
import type { Harness, Row } from '../suites/harness';

function stubOf(groupId: number) {
  return env.GROUPS.get(env.GROUPS.idFromName(`group:${groupId}`));
}

/** SQLite spells reserved identifiers with double quotes too: the suites' SQL runs as written. */
function bind(sql: string, params: unknown[]) {
  return env.DB.prepare(sql).bind(...params);
}

export const edgeHarness: Harness = {
  name: 'edge',
  // The Worker's fetch called in this isolate, with its own execution context (background work runs
  // on; nothing waits for it). Not `exports.default.fetch`: through vitest-pool-workers' loopback
  // each call got slower than the one before (/healthz: 7 ms for the first 200 calls, 72 ms after
  // 600), which made the 1,000-request tests take minutes.
  // A body ends only once the request's background work (record, routing report, key settle) is
  // done, so a test that reads a whole answer and sends the next request sees its effects, as it
  // did over the slow loopback; a deployed Worker gives no such ordering (limits are then looser).
  // Concurrent requests are the exception for a routed request's finish: those coalesced into a
  // batch another request sends do not wait for it (edge/coalescer.ts); poll for their records.
  fetch: async (path, init) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch!(new Request(`http://gateway.test${path}`, init), env as never, ctx);
    if (!res.body) {
      await waitOnExecutionContext(ctx);
      return res;
    }
    const settled = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: () => waitOnExecutionContext(ctx) }));
    return new Response(settled, { status: res.status, statusText: res.statusText, headers: res.headers });
  },
  origin: () => 'http://gateway.test',
  from: (ip) => ({ 'cf-connecting-ip': ip }),
  upstreamUrl: () => env.UPSTREAM_URL,
  async flush(groupId, atLeast = 1) {
    // Records arrive via waitUntil, after the response: wait for them in the object's storage.
    for (let i = 0; i < 200; i++) {
      const count = await runInDurableObject(stubOf(groupId), async (_o, state) => (await state.storage.list({ prefix: 'rec:' })).size);
      if (count >= atLeast) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    return runDurableObjectAlarm(stubOf(groupId));
  },
  query: async (sql, ...params) => (await bind(sql, params).all<Row>()).results,
  exec: async (sql, ...params) => {
    await bind(sql, params).run();
  },
  restart: () => abortAllDurableObjects(),
  routingState: (groupId) => runInDurableObject(stubOf(groupId), (_o, state) => state.storage.get<any>('routing')),
  pendingReads: (groupId) => runInDurableObject(stubOf(groupId), (o) => (o as unknown as { pendingReads: number }).pendingReads),
  async cron(expression) {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: expression, scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
  },
};

/**
 * The same harness with requests sent through the runtime's loopback (`exports.default.fetch`):
 * a client that aborts is then a real disconnect the runtime sees, which cancels the handler the
 * way a deployed Worker's would. Slower per call (see `fetch` above): for the few tests that need it.
 */
export const edgeRuntimeHarness: Harness = {
  ...edgeHarness,
  fetch: (path, init) => exports.default.fetch(new Request(`http://gateway.test${path}`, init)),
};
