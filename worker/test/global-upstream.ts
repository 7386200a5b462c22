/** Starts one fake upstream provider for the edge test project and hands its URL to the workers. */
import type { TestProject } from 'vitest/node';
import { startFakeUpstream } from './upstream/server';

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const upstream = await startFakeUpstream({ host: '127.0.0.1' });
  project.provide('upstreamUrl', upstream.url);
  return async () => {
    await upstream.close();
  };
}
