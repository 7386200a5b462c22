/** Mounts the client-facing relay endpoints. */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { handleListModels } from './models';
import { handleChatCompletions } from './openai-chat';

export function relayRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.post('/v1/chat/completions', handleChatCompletions);
  r.get('/v1/models', handleListModels);
  return r;
}
