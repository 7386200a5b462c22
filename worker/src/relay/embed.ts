/**
 * Embeddings: OpenAI `POST /v1/embeddings` and Gemini `:embedContent` / `:batchEmbedContents`,
 * to OpenAI-compatible (`openai-chat` channels) or Gemini channels. Anthropic and Responses
 * channels have no embeddings API; they are skipped as candidates.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { RequestDecodeError, gatewayError, type GatewayError } from '../protocols/canonical';
import { codecFor } from '../protocols/index';
import type { EmbedRequest, EmbedResponse } from '../protocols/embeddings/canonical';
import {
  decodeGeminiEmbedRequest, decodeGeminiEmbedResponse, encodeGeminiEmbedRequest, encodeGeminiEmbedResponse, geminiEmbedUrl,
} from '../protocols/embeddings/gemini';
import {
  decodeOpenAIEmbedRequest, decodeOpenAIEmbedResponse, encodeOpenAIEmbedRequest, encodeOpenAIEmbedResponse, openAIEmbedUrl,
} from '../protocols/embeddings/openai';
import { authenticateClient, keyAllowsGroup, touchKey } from './auth';
import { dispatch } from './dispatch';
import { exhaustedError, findRouteFor, modelNotFound, protocolError } from './generate';
import { admitKey, settleKey } from './key-limits';
import { UNROUTED_GROUP_ID, buildRecord, unroutedRecord, type FinalOutcome, type RecordContext } from './record';
import { readErrorBody } from './upstream';
import { MAX_JSON_DEPTH, jsonDeeperThan } from './json-depth';

/** The inbound form: OpenAI, or Gemini single/batch with the model from the URL. */
export type EmbedCall = { protocol: 'openai-chat' } | { protocol: 'gemini'; model: string; batch: boolean };

/** Handles an embeddings request; never throws for bad input or upstream trouble. */
export async function handleEmbed(c: Context<AppEnv>, call: EmbedCall): Promise<Response> {
  const p = c.get('platform');
  const start = p.now();
  const fail = (err: GatewayError) => protocolError(call.protocol, err);
  const refuse = (err: GatewayError, apiKeyId: number, model: string) => {
    p.defer(p.groups.record(UNROUTED_GROUP_ID, unroutedRecord({ start, now: p.now(), apiKeyId, model, protocolIn: call.protocol, stream: false, status: err.status, error: err.message })));
    return fail(err);
  };
  const auth = await authenticateClient(p, c.req.raw);
  if ('error' in auth) return refuse(auth.error, 0, call.protocol === 'gemini' ? call.model : '');

  let req: EmbedRequest;
  let base64 = false;
  try {
    const body = JSON.parse(await c.req.text()) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestDecodeError('the body must be a JSON object');
    if (jsonDeeperThan(body, MAX_JSON_DEPTH)) throw new RequestDecodeError(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
    if (call.protocol === 'openai-chat') ({ req, base64 } = decodeOpenAIEmbedRequest(body));
    else req = decodeGeminiEmbedRequest(body, call.model, call.batch);
  } catch (err) {
    const message = err instanceof RequestDecodeError ? err.message : 'The request body is not valid JSON.';
    return refuse(gatewayError(400, 'invalid_request', err instanceof RequestDecodeError ? 'invalid_request' : 'invalid_json', message, { param: (err as RequestDecodeError).param }), auth.key.id, call.protocol === 'gemini' ? call.model : '');
  }

  const route = await findRouteFor(p, req.model);
  // A group the key may not use answers exactly like one that does not exist: no probing for names.
  if (!route || !route.group.enabled || !keyAllowsGroup(auth.key, route.group.name)) return refuse(modelNotFound(req.model), auth.key.id, req.model);
  const limited = await admitKey(p, auth.key);
  if (limited) return refuse(limited, auth.key.id, req.model);

  const result = await dispatch({
    platform: p,
    route,
    clientSignal: c.req.raw.signal,
    prepare: ({ channel, member, apiKey }) => {
      if (channel.type !== 'openai-chat' && channel.type !== 'gemini') return `channel ${channel.id} (${channel.type}) has no embeddings API`;
      const gemini = channel.type === 'gemini';
      return {
        url: gemini ? geminiEmbedUrl(channel.baseUrl, member.upstreamModel) : openAIEmbedUrl(channel.baseUrl),
        headers: { 'content-type': 'application/json', accept: 'application/json', ...codecFor(channel.type).upstreamHeaders(apiKey), ...channel.headers },
        body: JSON.stringify(gemini ? encodeGeminiEmbedRequest(req, member.upstreamModel) : encodeOpenAIEmbedRequest(req, member.upstreamModel)),
      };
    },
  });
  p.defer(p.groups.report(route.group.id, result.report));
  touchKey(p, auth.key);
  const ctx: RecordContext = { id: crypto.randomUUID(), start, apiKeyId: auth.key.id, route, protocolIn: call.protocol, stream: false, outcomes: result.outcomes };
  const done = (final: FinalOutcome) => {
    const record = buildRecord(ctx, final, p.now());
    p.defer(p.groups.record(route.group.id, record));
    settleKey(p, auth.key, record);
  };

  if (result.kind === 'exhausted') {
    const err = exhaustedError(req.model, result);
    done({ status: err.status, ok: false, usage: null, error: err.message });
    return fail(err);
  }
  const { response: res, channel } = result;
  if (res.status < 200 || res.status >= 300) {
    const info = codecFor(channel.type).decodeError(res.status, result.redact(await readErrorBody(res)));
    done({ status: res.status, ok: false, usage: null, error: `upstream HTTP ${res.status}` });
    return fail(gatewayError(res.status, info.kind, info.code ?? 'upstream_error', result.redact(info.message)));
  }
  let decoded: EmbedResponse;
  try {
    const json: unknown = JSON.parse(result.body ?? '');
    decoded = channel.type === 'gemini' ? decodeGeminiEmbedResponse(json) : decodeOpenAIEmbedResponse(json);
  } catch {
    done({ status: 502, ok: false, usage: null, error: 'unreadable upstream body' });
    return fail(gatewayError(502, 'upstream', 'bad_upstream_response', 'The upstream answered with a body the gateway could not read.'));
  }
  done({ status: 200, ok: true, usage: { input: decoded.inputTokens, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 }, error: null });
  const out = call.protocol === 'openai-chat' ? encodeOpenAIEmbedResponse(decoded, req.model, base64) : encodeGeminiEmbedResponse(decoded, call.batch);
  return c.json(out);
}
