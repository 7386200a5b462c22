/**
 * Starts the fake upstream and the gateway once for the whole suite; hands their URLs to the tests
 * through the environment (read in tests/env.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { startFakeUpstream } from '../../worker/test/upstream/server';
import { root, startGateway } from './harness';

/**
 * Lines of the gateway's output that explain a failed admin call or request in CI: the dev proxy's
 * resends, wrangler's "restarted mid-request", uncaught errors and workerd's resource limits.
 */
const TELLING = /dev proxy:|restarted mid-request|Uncaught|exceeded|out of memory|✘ \[ERROR\]/i;

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
    // The whole output is kept for a failed run's diagnosis; the telling lines go to the console.
    const output = gateway.output();
    const dir = join(root, '.test-artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ui-gateway.log'), output);
    const telling = output.split('\n').filter((line) => TELLING.test(line));
    if (telling.length > 0) console.log(`[ui gateway] ${telling.length} telling line(s) (all output in .test-artifacts/ui-gateway.log):\n${telling.slice(0, 20).join('\n')}`);
    await gateway.stop();
    await upstream.close();
  };
}
