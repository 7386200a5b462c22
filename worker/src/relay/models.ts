/**
 * `GET /v1/models` in OpenAI shape (OpenAI API reference, "List models"): the groups the key may use.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { authenticateClient, keyAllowsGroup } from './auth';
import { openAIErrorResponse } from './respond';

/** Lists enabled groups visible to the client key. `created` is in seconds, as OpenAI sends it. */
export async function handleListModels(c: Context<AppEnv>): Promise<Response> {
  const p = c.get('platform');
  const auth = await authenticateClient(p, c.req.raw);
  if ('error' in auth) return openAIErrorResponse(auth.error);
  const groups = (await p.store.listGroups()).filter((g) => g.enabled && keyAllowsGroup(auth.key, g.name));
  return c.json({
    object: 'list',
    data: groups.map((g) => ({ id: g.name, object: 'model', created: Math.floor(g.createdAt / 1000), owned_by: 'octopus-edge' })),
  });
}
