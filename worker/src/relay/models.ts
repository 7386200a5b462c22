/**
 * Model lists: the groups a client key may use, in the shape of the protocol the client speaks.
 * `GET /v1/models` answers in OpenAI shape, in Anthropic shape when the request carries
 * `anthropic-version`, in Gemini shape when the key comes as `x-goog-api-key` or `?key=`.
 * Listed: group names and aliases; patterns cannot be listed, but `GET …/models/{name}` resolves them.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { gatewayError, type ProtocolName } from '../protocols/canonical';
import { codecFor } from '../protocols/index';
import type { ModelInfo } from '../protocols/codec';
import { authenticateClient, keyAllowsGroup } from './auth';
import { findRouteFor, protocolError, storeUnavailable } from './generate';
import { currentConfig, StoreUnavailableError, type ConfigSnapshot } from '../config/snapshot';
import type { ApiKey } from '../db/types';

/**
 * The protocol a request speaks, for answers the gateway gives before any handler (404, 413, 500)
 * and for model lists: by path first (`/v1/messages…` is Anthropic, `/v1beta/…` or a
 * `models/…:method` path is Gemini, `/v1/responses…` and `/v1/chat…` are OpenAI), then by headers.
 */
export function listingProtocol(req: Request): ProtocolName {
  const path = new URL(req.url).pathname;
  if (/^\/v1\/messages(\/|$)/.test(path)) return 'anthropic';
  if (path.startsWith('/v1beta/') || /^\/v1\/models\/[^/]+:[A-Za-z]+$/.test(path)) return 'gemini';
  if (path.startsWith('/v1/chat/') || path.startsWith('/v1/responses') || path.startsWith('/v1/embeddings')) return 'openai-chat';
  if (req.headers.get('anthropic-version')) return 'anthropic';
  if (req.headers.get('x-goog-api-key') || new URL(req.url).searchParams.has('key')) return 'gemini';
  return 'openai-chat';
}

/** The snapshot and the authenticated key, or the error answer in the client's protocol. */
async function keyAndConfig(c: Context<AppEnv>, protocol: ProtocolName) {
  const p = c.get('platform');
  let config;
  try {
    config = await currentConfig(p);
  } catch (err) {
    if (err instanceof StoreUnavailableError) return { error: protocolError(protocol, storeUnavailable()) };
    throw err;
  }
  const auth = await authenticateClient(p, c.req.raw, config);
  if ('error' in auth) return { error: protocolError(protocol, auth.error) };
  return { config, key: auth.key };
}

/**
 * Every name the key can call by name: each enabled group it may use, then that group's aliases
 * (patterns match open-ended sets of names, so they cannot be listed).
 */
function visibleModels(config: ConfigSnapshot, key: ApiKey): ModelInfo[] {
  const groups = config.groups.filter((g) => g.enabled && keyAllowsGroup(key, g.name));
  return groups.flatMap((g) => [g.name, ...g.aliases].map((id) => ({ id, created: g.createdAt })));
}

/** Lists every visible group name and alias. */
export async function handleListModels(c: Context<AppEnv>, protocol: ProtocolName = listingProtocol(c.req.raw)): Promise<Response> {
  const v = await keyAndConfig(c, protocol);
  if ('error' in v) return v.error!;
  return c.json(codecFor(protocol).encodeModelList(visibleModels(v.config, v.key)) as object);
}

/**
 * One model by id (OpenAI "Retrieve model", Gemini "models.get"): any name the key could send,
 * a pattern-caught one included, answered under the name asked for; 404 in the client's shape.
 */
export async function handleGetModel(c: Context<AppEnv>, id: string, protocol: ProtocolName = listingProtocol(c.req.raw)): Promise<Response> {
  const v = await keyAndConfig(c, protocol);
  if ('error' in v) return v.error!;
  const name = id.replace(/^models\//, '');
  const found = findRouteFor(v.config, name, v.key);
  if (!found) return protocolError(protocol, gatewayError(404, 'not_found', 'model_not_found', `The model \`${name}\` does not exist or you do not have access to it.`));
  const list = codecFor(protocol).encodeModelList([{ id: name, created: found.route.group.createdAt }]) as { data?: unknown[]; models?: unknown[] };
  return c.json((list.data ?? list.models ?? [])[0] as object);
}
