/** Starts one fake upstream provider for the edge test project and hands its URL to the workers. */
import type { TestProject } from 'vitest/node';
import { startFakeUpstream } from './upstream/server';

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamUrl: string;
    /** The real models.dev snapshot (shared/fixtures/modelsdev/api.json), served by the fake upstream. */
    modelsDevUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const upstream = await startFakeUpstream({ host: '127.0.0.1' });
  project.provide('upstreamUrl', upstream.url);
  project.provide('modelsDevUrl', `${upstream.addScenario({ json: 'modelsdev/api.json' }).baseUrl}/api.json`);
  return async () => {
    await upstream.close();
  };
}
