/** Workers entry: the app's fetch handler, the cron syncs, and the GroupObject Durable Object class. */
import { createApp } from '../app';
import { runScheduledJobs } from '../sync/jobs';
import { edgePlatform } from './platform';

export { GroupObject } from './group-object';
export { KeyObject } from './key-object';


const app = createApp((c) => edgePlatform(c.env as Env, c.executionCtx as unknown as ExecutionContext, c.req.raw));

/**
 * A relay request's handler is kept alive with waitUntil until it returns: when the client
 * disconnects, the Workers runtime would otherwise cancel the handler where it waits (the upstream
 * call) and the code that logs the request as "client closed" (499, usage so far) would never run.
 */
function fetchKeepingRelayAlive(req: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
  const path = new URL(req.url).pathname;
  const work = app.fetch(req, env, ctx);
  if ((path.startsWith('/v1/') || path.startsWith('/v1beta/')) && work instanceof Promise) ctx.waitUntil(work.then(() => undefined, () => undefined));
  return work;
}

export default {
  fetch: fetchKeepingRelayAlive,
  /** Runs the job a cron trigger names (sync/jobs.ts, shared with Node's croner jobs). */
  async scheduled(controller, env, ctx) {
    await runScheduledJobs(edgePlatform(env, ctx), controller.cron, Date.now());
  },
} satisfies ExportedHandler<Env>;
