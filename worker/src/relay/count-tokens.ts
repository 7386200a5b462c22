/**
 * Token counting: Anthropic `POST /v1/messages/count_tokens` (Anthropic API reference, "Count
 * tokens in a Message": the Messages body without `max_tokens` → `{"input_tokens": N}`) and Gemini
 * `POST /{v1beta,v1}/models/{model}:countTokens` (Gemini API reference, "models.countTokens":
 * `{contents}` or `{generateContentRequest}` → `{"totalTokens": N, ...}`).
 *
 * Authenticated and routed like a generation. When the group has members of the client's own
 * protocol, the request goes to them through the group's plan with failover, and the provider's
 * answer comes back as it was. Otherwise (or when every such member failed) the gateway counts the
 * prompt itself (relay/count-local.ts). Either way nothing is billed: the request is logged with no
 * usage, so it costs nothing and weighs on no budget or TPM limit.
 */
import { channelSpeaks } from '../routing/endpoints';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { CLIENT_CLOSED_STATUS } from '../accounting/records';
import { currentConfig, StoreUnavailableError, type ConfigSnapshot } from '../config/snapshot';
import { RequestDecodeError, gatewayError, type CanonicalRequest, type GatewayError } from '../protocols/canonical';
import { codecFor } from '../protocols/index';
import { joinUrl } from '../protocols/url';
import { stripModelsPrefix } from '../protocols/gemini/wire';
import type { Route } from '../db/types';
import type { RoutingReport } from '../routing/types';
import { authenticateClient, touchKey } from './auth';
import { clientSignalOf } from './client-signal';
import { BodyError, RELAY_BODY_LIMIT, readCappedText, scanJson } from './body';
import { characterEstimate, countPromptTokens, type TokenCounter } from './count-local';
import { dispatch, startPlan } from './dispatch';
import { findRouteFor, modelNotFound, protocolError, requestedName, storeUnavailable } from './generate';
import { MAX_JSON_DEPTH } from './json-depth';
import { UNROUTED_GROUP_ID, buildRecord, unroutedRecord, type FinalOutcome, type RecordContext } from './record';
import { noteUnauthenticated } from './refusals';
import { readErrorBody } from './upstream';

/** How the count endpoint was called: Anthropic (model in the body) or Gemini (model in the URL). */
export type CountCall = { protocol: 'anthropic' } | { protocol: 'gemini'; model: string };

/** Client headers passed on to an Anthropic upstream (betas change what is counted, e.g. tools). */
const FORWARDED_ANTHROPIC_HEADERS = ['anthropic-beta'];

/**
 * Upstream statuses that say "this endpoint does not exist here" (an Anthropic-compatible or
 * Gemini-compatible provider that serves generations but not counts). The next member is tried, but
 * the member's health is not charged: its generations may be fine.
 */
const ENDPOINT_MISSING = new Set([404, 405, 501]);

/** Handles a count request; never throws for bad input, upstream trouble or a database failure. */
export async function handleCountTokens(c: Context<AppEnv>, call: CountCall): Promise<Response> {
  const p = c.get('platform');
  const start = p.now();
  const protocol = call.protocol;
  const fail = (err: GatewayError) => protocolError(protocol, err);
  let model = call.protocol === 'gemini' ? call.model : '';
  const refuse = (err: GatewayError, apiKeyId: number) => {
    p.defer(p.groups.record(UNROUTED_GROUP_ID, unroutedRecord({ start, now: p.now(), apiKeyId, model, protocolIn: protocol, stream: false, status: err.status, error: err.message })));
    return fail(err);
  };

  let config: ConfigSnapshot;
  try {
    config = await currentConfig(p);
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    return refuse(storeUnavailable(), 0);
  }
  const auth = await authenticateClient(p, c.req.raw, config);
  if ('error' in auth) {
    noteUnauthenticated(p, auth.reason, protocol, start);
    return fail(auth.error);
  }
  const key = auth.key;

  let body: Record<string, unknown>;
  let req: CanonicalRequest;
  try {
    const text = await (p.readRequestBody ? p.readRequestBody(RELAY_BODY_LIMIT) : readCappedText(c.req.raw, RELAY_BODY_LIMIT));
    if (scanJson(text, MAX_JSON_DEPTH).tooDeep) throw new BodyError({ kind: 'too_deep', maxDepth: MAX_JSON_DEPTH });
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RequestDecodeError('the body must be a JSON object');
    body = parsed as Record<string, unknown>;
    if (call.protocol === 'anthropic' && typeof body.model === 'string') model = body.model;
    req = decodeCountRequest(call, body);
  } catch (err) {
    if (err instanceof BodyError) {
      const e = err.problem.kind === 'too_large' ? gatewayError(413, 'request_too_large', 'request_too_large', err.message)
        : err.problem.kind === 'too_deep' ? gatewayError(400, 'invalid_request', 'invalid_request', err.message)
        : gatewayError(CLIENT_CLOSED_STATUS, 'invalid_request', 'client_closed', err.message);
      return refuse(e, key.id);
    }
    if (err instanceof RequestDecodeError) return refuse(gatewayError(400, 'invalid_request', 'invalid_request', err.message, { param: err.param }), key.id);
    if (err instanceof SyntaxError) return refuse(gatewayError(400, 'invalid_request', 'invalid_json', 'The request body is not valid JSON.'), key.id);
    throw err;
  }

  const found = findRouteFor(config, req.model, key);
  if (!found) return refuse(modelNotFound(req.model), key.id);
  const { route } = found;
  touchKey(p, key);

  const ctx: RecordContext = { id: crypto.randomUUID(), start, apiKeyId: key.id, route, protocolIn: protocol, stream: false, outcomes: [], requested: requestedName(req.model, found) };
  // No usage on the record: a count is free, for the price list, the key's budget and its TPM alike.
  const record = (final: Omit<FinalOutcome, 'usage'>) => buildRecord(ctx, { ...final, usage: null }, p.now());

  const sameProtocol = membersOfProtocol(route, protocol);
  if (sameProtocol) {
    const forwarded: Record<string, string> = {};
    if (protocol === 'anthropic') {
      for (const name of FORWARDED_ANTHROPIC_HEADERS) {
        const v = c.req.header(name);
        if (v) forwarded[name] = v;
      }
    }
    const planned = startPlan(p, sameProtocol, undefined, undefined, protocol);
    let plan;
    try {
      plan = await planned.plan;
    } catch {
      return refuse(storeUnavailable(), key.id);
    }
    const result = await dispatch({
      platform: p, config, route: sameProtocol, planned, plan, clientSignal: clientSignalOf(c), clientProtocol: protocol,
      acceptBody: (_channel, text) => acceptCount(protocol, text),
      prepare: ({ channel, member, apiKey }) => ({
        url: countUrl(call, channel.baseUrl, member.upstreamModel),
        headers: { 'content-type': 'application/json', accept: 'application/json', ...forwarded, ...codecFor(protocol).upstreamHeaders(apiKey), ...channel.headers },
        body: JSON.stringify(upstreamCountBody(call, body, member.upstreamModel)),
      }),
    });
    ctx.outcomes = result.outcomes;
    const finish = (final: Omit<FinalOutcome, 'usage'>) => {
      p.defer(p.groups.finish(route.group.id, sparedReport(result.report), record(final)));
      result.release();
    };
    if (result.kind === 'aborted') {
      const err = gatewayError(CLIENT_CLOSED_STATUS, 'invalid_request', 'client_closed', 'The client closed the connection before the answer.');
      finish({ status: err.status, ok: false, error: err.message });
      return fail(err);
    }
    if (result.kind === 'committed') {
      const res = result.response;
      if (res.status >= 200 && res.status < 300) {
        finish({ status: 200, ok: true, error: null });
        // Redacted like every upstream text a client sees (a provider may echo its key anywhere).
        return new Response(result.redact(result.body ?? ''), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      // The request's own fault (e.g. a 400 for a malformed message): the provider's word, in the client's shape.
      const info = codecFor(protocol).decodeError(res.status, result.redact(await readErrorBody(res)));
      finish({ status: res.status, ok: false, error: `upstream HTTP ${res.status}` });
      return fail(gatewayError(res.status, info.kind, info.code ?? 'upstream_error', result.redact(info.message)));
    }
    // Every member of the protocol failed: the client still gets a count, the gateway's own.
    const tokens = countPromptTokens(req, protocol, await localCounter(p.tokenCounter));
    finish({ status: 200, ok: true, error: `counted locally: every ${protocol} member failed (${result.lastError ?? 'no member available'})`.slice(0, 500) });
    return countAnswer(protocol, tokens);
  }

  const tokens = countPromptTokens(req, protocol, await localCounter(p.tokenCounter));
  p.defer(p.groups.record(route.group.id, record({ status: 200, ok: true, error: null })));
  return countAnswer(protocol, tokens);
}

/**
 * The canonical prompt of a count request, with the model to route by. Anthropic: a Messages body
 * with `max_tokens` optional (the count endpoint takes none). Gemini: `generateContentRequest` when
 * present, else the body's own `contents` (and, as Vertex AI accepts, `systemInstruction` and
 * `tools`); the model comes from the URL. Throws RequestDecodeError for a malformed prompt.
 */
export function decodeCountRequest(call: CountCall, body: Record<string, unknown>): CanonicalRequest {
  if (call.protocol === 'anthropic') {
    return codecFor('anthropic').decodeRequest({ ...body, max_tokens: body.max_tokens ?? 1, stream: false }, {});
  }
  const inner = body.generateContentRequest;
  if (inner !== undefined && (typeof inner !== 'object' || inner === null || Array.isArray(inner))) {
    throw new RequestDecodeError('generateContentRequest must be an object', 'generateContentRequest');
  }
  const prompt = (inner ?? body) as Record<string, unknown>;
  const { model: _ignored, generateContentRequest: _nested, ...rest } = prompt;
  return codecFor('gemini').decodeRequest({ contents: [], ...rest }, { model: call.model, stream: false });
}

/**
 * The group narrowed to its members whose channel has an endpoint of `protocol` (routing/endpoints.ts)
 * and that are not pinned to another one; null when there is none.
 */
function membersOfProtocol(route: Route, protocol: 'anthropic' | 'gemini'): Route | null {
  const members = route.group.members.filter((m) => {
    const ch = route.channels.get(m.channelId);
    return ch !== undefined && channelSpeaks(ch, protocol) && (!m.protocol || m.protocol === protocol);
  });
  if (members.length === 0) return null;
  return { ...route, group: { ...route.group, members } };
}

/** `{base}/messages/count_tokens` (Anthropic) or `{base}/models/{model}:countTokens` (Gemini). */
function countUrl(call: CountCall, baseUrl: string, upstreamModel: string): string {
  if (call.protocol === 'anthropic') return joinUrl(baseUrl, 'messages/count_tokens');
  return joinUrl(baseUrl, `models/${stripModelsPrefix(upstreamModel)}:countTokens`);
}

/**
 * The client's count body for one member: the member's model in place of the group name
 * (Anthropic `model`; Gemini `generateContentRequest.model`, which the API requires as
 * `models/{model}`). Everything else goes as the client sent it.
 */
function upstreamCountBody(call: CountCall, body: Record<string, unknown>, upstreamModel: string): Record<string, unknown> {
  if (call.protocol === 'anthropic') return { ...body, model: upstreamModel };
  const inner = body.generateContentRequest as Record<string, unknown> | undefined;
  if (!inner) return body;
  return { ...body, generateContentRequest: { ...inner, model: `models/${stripModelsPrefix(upstreamModel)}` } };
}

/**
 * Whether a 2xx body is a count: a JSON object with a whole `input_tokens` (Anthropic) or a whole or
 * absent `totalTokens` (Gemini answers in proto3 JSON, which leaves a 0 out). Anything else is the
 * channel's fault and the next member is tried.
 */
function acceptCount(protocol: 'anthropic' | 'gemini', text: string): { ok: true } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const field = protocol === 'anthropic' ? 'input_tokens' : 'totalTokens';
  const value = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>)[field] : null;
  const ok = Number.isInteger(value) || (protocol === 'gemini' && value === undefined);
  return ok ? { ok: true } : { ok: false, error: `the upstream answered 2xx with a body that is not a ${protocol} token count` };
}

/**
 * The routing report with "no such endpoint" failures spared: they still moved the request to the
 * next member, but do not count against the member's breaker (see ENDPOINT_MISSING).
 */
function sparedReport(report: RoutingReport): RoutingReport {
  return { ...report, outcomes: report.outcomes.map((o) => (o.kind === 'channel' && ENDPOINT_MISSING.has(o.status) ? { ...o, kind: 'client' as const } : o)) };
}

/** The runtime's tokenizer, or the character estimate when it has none or it fails to load. */
async function localCounter(load: (() => Promise<TokenCounter>) | undefined): Promise<TokenCounter> {
  if (!load) return characterEstimate;
  try {
    return await load();
  } catch {
    return characterEstimate;
  }
}

/** The count in the client's protocol: `{input_tokens}` or `{totalTokens}`. */
function countAnswer(protocol: 'anthropic' | 'gemini', tokens: number): Response {
  const body = protocol === 'anthropic' ? { input_tokens: tokens } : { totalTokens: tokens };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}
