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
import { CLIENT_CLOSED_STATUS } from '../accounting/records';
import { currentConfig, StoreUnavailableError, type ConfigSnapshot } from '../config/snapshot';
import { authenticateClient, touchKey } from './auth';
import { clientSignalOf } from './client-signal';
import { BodyError, RELAY_BODY_LIMIT, readCappedText, scanJson } from './body';
import { dispatch, releasePlan, startPlan } from './dispatch';
import { exhaustedResponse, findRouteFor, modelNotFound, protocolError, requestedName, storeUnavailable } from './generate';
import { noteUnauthenticated } from './refusals';
import { admitKey, settleKey } from './key-limits';
import { UNROUTED_GROUP_ID, buildRecord, unroutedRecord, type FinalOutcome, type RecordContext } from './record';
import { readErrorBody } from './upstream';
import { MAX_JSON_DEPTH } from './json-depth';

/** The inbound form: OpenAI, or Gemini single/batch with the model from the URL. */
export type EmbedCall = { protocol: 'openai-chat' } | { protocol: 'gemini'; model: string; batch: boolean };

/** Handles an embeddings request; never throws for bad input, upstream trouble or a database failure. */
export async function handleEmbed(c: Context<AppEnv>, call: EmbedCall): Promise<Response> {
  const p = c.get('platform');
  const start = p.now();
  const fail = (err: GatewayError) => protocolError(call.protocol, err);
  const refuse = (err: GatewayError, apiKeyId: number, model: string) => {
    p.defer(p.groups.record(UNROUTED_GROUP_ID, unroutedRecord({ start, now: p.now(), apiKeyId, model, protocolIn: call.protocol, stream: false, status: err.status, error: err.message })));
    return fail(err);
  };
  const urlModel = call.protocol === 'gemini' ? call.model : '';
  let config: ConfigSnapshot;
  try {
    config = await currentConfig(p);
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    return refuse(storeUnavailable(), 0, urlModel);
  }
  const auth = await authenticateClient(p, c.req.raw, config);
  if ('error' in auth) {
    noteUnauthenticated(p, auth.reason, call.protocol, start);
    return fail(auth.error);
  }

  let req: EmbedRequest;
  let base64 = false;
  try {
    const text = await (p.readRequestBody ? p.readRequestBody(RELAY_BODY_LIMIT) : readCappedText(c.req.raw, RELAY_BODY_LIMIT));
    if (scanJson(text, MAX_JSON_DEPTH).tooDeep) throw new BodyError({ kind: 'too_deep', maxDepth: MAX_JSON_DEPTH });
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestDecodeError('the body must be a JSON object');
    if (call.protocol === 'openai-chat') ({ req, base64 } = decodeOpenAIEmbedRequest(body));
    else req = decodeGeminiEmbedRequest(body, call.model, call.batch);
  } catch (err) {
    if (err instanceof BodyError) {
      const e = err.problem.kind === 'too_large' ? gatewayError(413, 'request_too_large', 'request_too_large', err.message)
        : err.problem.kind === 'too_deep' ? gatewayError(400, 'invalid_request', 'invalid_request', err.message)
        : gatewayError(CLIENT_CLOSED_STATUS, 'invalid_request', 'client_closed', err.message);
      return refuse(e, auth.key.id, urlModel);
    }
    const message = err instanceof RequestDecodeError ? err.message : 'The request body is not valid JSON.';
    return refuse(gatewayError(400, 'invalid_request', err instanceof RequestDecodeError ? 'invalid_request' : 'invalid_json', message, { param: (err as RequestDecodeError).param }), auth.key.id, urlModel);
  }

  const found = findRouteFor(config, req.model, auth.key);
  if (!found) return refuse(modelNotFound(req.model), auth.key.id, req.model);
  const { route } = found;
  const planned = startPlan(p, route, undefined, undefined, call.protocol);
  const [admission, planning] = await Promise.allSettled([admitKey(p, auth.key), planned.plan]);
  if (admission.status === 'rejected' || planning.status === 'rejected') {
    if (planning.status === 'fulfilled') releasePlan(p, route, planned, planning.value);
    return refuse(storeUnavailable(), auth.key.id, req.model);
  }
  if (admission.value) {
    releasePlan(p, route, planned, planning.value);
    return refuse(admission.value, auth.key.id, req.model);
  }

  const result = await dispatch({
    platform: p,
    config,
    route,
    clientProtocol: call.protocol,
    planned,
    plan: planning.value,
    clientSignal: clientSignalOf(c),
    acceptBody: (channel, text) => {
      try {
        const json: unknown = JSON.parse(text);
        return { ok: true, value: channel.type === 'gemini' ? decodeGeminiEmbedResponse(json) : decodeOpenAIEmbedResponse(json) };
      } catch {
        return { ok: false, error: `the upstream answered 2xx with a body that is not a ${channel.type} embeddings answer` };
      }
    },
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
  touchKey(p, auth.key);
  const ctx: RecordContext = { id: crypto.randomUUID(), start, apiKeyId: auth.key.id, route, protocolIn: call.protocol, stream: false, outcomes: result.outcomes, requested: requestedName(req.model, found) };
  const done = (final: FinalOutcome) => {
    const record = buildRecord(ctx, final, p.now());
    p.defer(p.groups.finish(route.group.id, result.report, record));
    settleKey(p, auth.key, record);
    result.release();
  };

  if (result.kind === 'aborted') {
    done({ status: CLIENT_CLOSED_STATUS, ok: false, usage: null, error: 'The client closed the connection before the answer.' });
    return fail(gatewayError(CLIENT_CLOSED_STATUS, 'invalid_request', 'client_closed', 'The client closed the connection before the answer.'));
  }
  if (result.kind === 'exhausted') {
    const { response, error } = exhaustedResponse(call.protocol, req.model, result);
    done({ status: error.status, ok: false, usage: null, error: error.message });
    return response;
  }
  const { response: res, channel } = result;
  if (res.status < 200 || res.status >= 300) {
    const info = codecFor(channel.type).decodeError(res.status, result.redact(await readErrorBody(res)));
    done({ status: res.status, ok: false, usage: null, error: `upstream HTTP ${res.status}` });
    return fail(gatewayError(res.status, info.kind, info.code ?? 'upstream_error', result.redact(info.message)));
  }
  const decoded = result.accepted as EmbedResponse;
  done({ status: 200, ok: true, usage: { input: decoded.inputTokens, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 }, error: null });
  const out = call.protocol === 'openai-chat' ? encodeOpenAIEmbedResponse(decoded, req.model, base64) : encodeGeminiEmbedResponse(decoded, call.batch);
  return c.json(out);
}
