/**
 * Model lists: the groups a client key may use, in the shape of the protocol the client speaks.
 * `GET /v1/models` answers in OpenAI shape, in Anthropic shape when the request carries
 * `anthropic-version`, in Gemini shape when the key comes as `x-goog-api-key` or `?key=`.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { gatewayError, type ProtocolName } from '../protocols/canonical';
import { codecFor } from '../protocols/index';
import { authenticateClient, keyAllowsGroup } from './auth';
import { protocolError, storeUnavailable } from './generate';
import { currentConfig, StoreUnavailableError } from '../config/snapshot';

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

async function visibleModels(c: Context<AppEnv>, protocol: ProtocolName) {
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
  const groups = config.groups.filter((g) => g.enabled && keyAllowsGroup(auth.key, g.name));
  return { models: groups.map((g) => ({ id: g.name, created: g.createdAt })) };
}

/** Lists every visible group. */
export async function handleListModels(c: Context<AppEnv>, protocol: ProtocolName = listingProtocol(c.req.raw)): Promise<Response> {
  const v = await visibleModels(c, protocol);
  if ('error' in v) return v.error!;
  return c.json(codecFor(protocol).encodeModelList(v.models) as object);
}

/** One model by id (OpenAI "Retrieve model", Gemini "models.get"); 404 in the client's shape. */
export async function handleGetModel(c: Context<AppEnv>, id: string, protocol: ProtocolName = listingProtocol(c.req.raw)): Promise<Response> {
  const v = await visibleModels(c, protocol);
  if ('error' in v) return v.error!;
  const name = id.replace(/^models\//, '');
  const m = v.models.find((x) => x.id === name);
  if (!m) return protocolError(protocol, gatewayError(404, 'not_found', 'model_not_found', `The model \`${name}\` does not exist or you do not have access to it.`));
  const list = codecFor(protocol).encodeModelList([m]) as { data?: unknown[]; models?: unknown[] };
  return c.json((list.data ?? list.models ?? [])[0] as object);
}
