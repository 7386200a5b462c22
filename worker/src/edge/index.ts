/** Workers entry: the app's fetch handler and the GroupObject Durable Object class. */
import { createApp } from '../app';
import { edgePlatform } from './platform';

export { GroupObject } from './group-object';

const app = createApp((c) => edgePlatform(c.env as Env, c.executionCtx as unknown as ExecutionContext));

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
