/** Workers entry: the app's fetch handler, the cron syncs, and the GroupObject Durable Object class. */
import { createApp } from '../app';
import { runScheduledJobs } from '../sync/jobs';
import { edgePlatform } from './platform';

export { GroupObject } from './group-object';
export { KeyObject } from './key-object';


const app = createApp((c) => edgePlatform(c.env as Env, c.executionCtx as unknown as ExecutionContext));

export default {
  fetch: app.fetch,
  /** Runs the job a cron trigger names (sync/jobs.ts, shared with Node's croner jobs). */
  async scheduled(controller, env, ctx) {
    await runScheduledJobs(edgePlatform(env, ctx), controller.cron, Date.now());
  },
} satisfies ExportedHandler<Env>;
