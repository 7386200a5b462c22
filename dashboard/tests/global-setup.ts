/**
 * Starts the fake upstream and the gateway once for the whole suite; hands their URLs to the tests
 * through the environment (read in tests/env.ts).
 */
import type { FullConfig } from '@playwright/test';
import { startFakeUpstream } from '../../worker/test/upstream/server';
import { startGateway } from './harness';

export default async function globalSetup(_config: FullConfig) {
  const upstream = await startFakeUpstream({ host: '127.0.0.1' });
  const modelsDev = upstream.addScenario({ json: 'modelsdev/api.json' });
  const chat = upstream.addScenario({
    json: 'openai-chat/vercel__openai-text.json',
    stream: 'openai-chat/vercel__openai-text.chunks.txt',
    models: { object: 'list', data: [{ id: 'gpt-4.1-nano', object: 'model' }, { id: 'gpt-4.1-mini', object: 'model' }] },
  });
  const failing = upstream.addScenario({ status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } });
  const gateway = await startGateway({ MODELS_DEV_URL: `${modelsDev.baseUrl}/api.json` });
  process.env.UI_GATEWAY_URL = gateway.url;
  process.env.UI_UPSTREAM_CHAT = chat.baseUrl;
  process.env.UI_UPSTREAM_FAILING = failing.baseUrl;
  return async () => {
    await gateway.stop();
    await upstream.close();
  };
}
