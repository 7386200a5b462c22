/**
 * One generation request in any inbound protocol, to any channel type:
 * authenticate → decode → find the group → attempt loop (encode per candidate) → reply.
 * Same protocol in and out is passed through (model and auth rewritten, a tap reads usage);
 * otherwise the reply is converted through the canonical form.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import {
  RequestDecodeError, STATUS_BY_KIND, gatewayError, type CanonicalRequest, type GatewayError, type ProtocolName,
} from '../protocols/canonical';
import type { StreamEncoderOptions } from '../protocols/codec';
import { codecFor } from '../protocols/index';
import { passthroughBody, passthroughEol, passthroughFilter, streamErrorTail } from '../protocols/passthrough';
import type { Channel, Route } from '../db/types';
import type { Platform } from '../platform';
import { sha256Hex } from '../lib/crypto';
import { authenticateClient, keyAllowsGroup, touchKey } from './auth';
import { dispatch, type DispatchResult } from './dispatch';
import { pipeStream, type OutputMode } from './pipeline';
import { admitKey, settleKey } from './key-limits';
import { UNROUTED_GROUP_ID, buildRecord, unroutedRecord, type FinalOutcome, type RecordContext } from './record';
import { readErrorBody } from './upstream';
import { BodyCapture, truncateBody } from './body-log';
import { MAX_JSON_DEPTH, jsonDeeperThan } from './json-depth';
import { DEFAULT_SETTINGS, cachedSettings } from '../settings';

/** How the inbound endpoint was called. */
export interface InboundCall {
  protocol: ProtocolName;
  /** Gemini: model and streaming come from the URL. */
  hints?: { model?: string; stream?: boolean };
  streamOptions?: StreamEncoderOptions;
  /** Client headers forwarded to a same-protocol upstream (e.g. `anthropic-beta`). */
  forwardHeaders?: string[];
}

/** Longest group name (admin/schemas.ts GroupName): a longer `model` cannot name a group. */
const MAX_MODEL_LENGTH = 200;

/** 404 for a model that is unknown, disabled or not allowed for the key (the message quotes at most 100 characters). */
export function modelNotFound(model: string): GatewayError {
  const shown = model.length > 100 ? `${model.slice(0, 100)}…` : model;
  return gatewayError(404, 'not_found', 'model_not_found', `The model \`${shown}\` does not exist or you do not have access to it.`, { param: 'model' });
}

/** The route for a model name, without a database round trip for names no group can have. */
export async function findRouteFor(p: Platform, model: string): Promise<Route | null> {
  return model.length > MAX_MODEL_LENGTH ? null : p.store.findRoute(model);
}

/** A JSON error response in the client's protocol. */
export function protocolError(protocol: ProtocolName, err: GatewayError): Response {
  const { status, body } = codecFor(protocol).encodeError(err);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(err.retryAfterSeconds)));
  if (err.noRetry) headers['x-should-retry'] = 'false';
  return new Response(JSON.stringify(body), { status, headers });
}

/** Handles a generation request; never throws for bad input or upstream trouble. */
export async function handleGenerate(c: Context<AppEnv>, call: InboundCall): Promise<Response> {
  const p = c.get('platform');
  const start = p.now();
  const client = codecFor(call.protocol);
  const fail = (err: GatewayError) => protocolError(call.protocol, err);
  // A request refused before it reaches a group is still logged (under the "unrouted" object).
  let model = call.hints?.model ?? '';
  let stream = call.hints?.stream ?? false;
  // Settings (log bodies) load alongside the key lookup; a failed load falls back to defaults.
  const settingsP = cachedSettings(p.store, start).catch(() => DEFAULT_SETTINGS);
  let rawBody = '';
  const refuse = (err: GatewayError, apiKeyId: number) => {
    const res = fail(err);
    const rec = unroutedRecord({ start, now: p.now(), apiKeyId, model, protocolIn: call.protocol, stream, status: err.status, error: err.message });
    p.defer((async () => {
      const s = await settingsP;
      if (s.logBodies) {
        rec.requestBody = truncateBody(rawBody, s.logBodyMaxBytes);
        rec.responseBody = truncateBody(await res.clone().text(), s.logBodyMaxBytes);
      }
      await p.groups.record(UNROUTED_GROUP_ID, rec);
    })());
    return res;
  };

  // The key lookup runs while the body is read and decoded; the route lookup joins it after.
  const authP = authenticateClient(p, c.req.raw);
  const authFirst = async (err: GatewayError) => {
    const auth = await authP;
    return 'error' in auth ? refuse(auth.error, 0) : refuse(err, auth.key.id);
  };

  let body: Record<string, unknown>;
  try {
    rawBody = await c.req.text();
    const parsed: unknown = JSON.parse(rawBody);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
    if (jsonDeeperThan(body, MAX_JSON_DEPTH)) {
      return authFirst(gatewayError(400, 'invalid_request', 'invalid_request', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`));
    }
    if (typeof body.model === 'string') model = body.model;
    if (body.stream === true) stream = true;
  } catch {
    return authFirst(gatewayError(400, 'invalid_request', 'invalid_json', 'The request body is not a valid JSON object.'));
  }
  let req: CanonicalRequest;
  try {
    req = client.decodeRequest(body, call.hints ?? {});
  } catch (err) {
    if (err instanceof RequestDecodeError) return authFirst(gatewayError(400, 'invalid_request', 'invalid_request', err.message, { param: err.param }));
    throw err;
  }

  const routeP = findRouteFor(p, req.model);
  const auth = await authP;
  if ('error' in auth) {
    routeP.catch(() => {});
    return refuse(auth.error, 0);
  }
  const route = await routeP;
  // A group the key may not use answers exactly like one that does not exist: no probing for names.
  if (!route || !route.group.enabled || !keyAllowsGroup(auth.key, route.group.name)) return refuse(modelNotFound(req.model), auth.key.id);
  const limited = await admitKey(p, auth.key);
  if (limited) return refuse(limited, auth.key.id);

  const forwarded: Record<string, string> = {};
  for (const name of call.forwardHeaders ?? []) {
    const v = c.req.header(name);
    if (v) forwarded[name] = v;
  }

  const result = await dispatch({
    platform: p,
    route,
    clientSignal: c.req.raw.signal,
    session: await sessionKey(auth.key.id, req.user ?? c.req.header('x-session-id')),
    streamDecoder: req.stream ? (ch) => codecFor(ch.type).createStreamDecoder() : undefined,
    prepare: ({ channel, member, apiKey }) => {
      const target = codecFor(channel.type);
      const same = channel.type === call.protocol;
      const upstreamBody = same ? passthroughBody(call.protocol, body, member.upstreamModel, req) : target.encodeRequest(req, member.upstreamModel);
      return {
        url: target.upstreamUrl(channel.baseUrl, member.upstreamModel, req.stream),
        headers: {
          'content-type': 'application/json',
          accept: req.stream ? 'text/event-stream' : 'application/json',
          ...(same ? forwarded : {}),
          ...target.upstreamHeaders(apiKey),
          ...channel.headers,
        },
        body: JSON.stringify(upstreamBody),
      };
    },
  });
  p.defer(p.groups.report(route.group.id, result.report));
  touchKey(p, auth.key);

  // Every request that reached a group leaves a log row and its stats, whatever happened.
  const ctx: RecordContext = { id: crypto.randomUUID(), start, apiKeyId: auth.key.id, route, protocolIn: call.protocol, stream: req.stream, outcomes: result.outcomes };
  const settings = await settingsP;
  const bodyMax = settings.logBodies ? settings.logBodyMaxBytes : null;
  const done = (final: FinalOutcome) => {
    const record = buildRecord(ctx, final, p.now());
    if (bodyMax !== null) {
      record.requestBody = truncateBody(rawBody, bodyMax);
      record.responseBody = final.responseBody ?? null;
    }
    p.defer(p.groups.record(route.group.id, record));
    settleKey(p, auth.key, record);
  };

  if (result.kind === 'exhausted') {
    const err = exhaustedError(req.model, result);
    const res = fail(err);
    done({ status: err.status, ok: false, usage: null, error: err.message, responseBody: bodyMax === null ? undefined : truncateBody(await res.clone().text(), bodyMax) });
    return res;
  }
  return reply(call, req, result, done, bodyMax);
}

/**
 * The error for a request no candidate could serve: 429 when every attempt was rate limited,
 * else 503; with Retry-After when a member or key will come back. Only statuses reach the client:
 * upstream error bodies can echo parts of the channel key. Without a status the reason is the
 * gateway's own words (network error, timeout), safe to show.
 */
export function exhaustedError(model: string, result: Extract<DispatchResult, { kind: 'exhausted' }>): GatewayError {
  const retry = result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {};
  if (result.outcomes.length === 0) {
    const why = result.retryAfterSeconds !== undefined ? ' Every member is cooling down after failures.' : ' The group has no available member.';
    return gatewayError(503, 'overloaded', 'no_available_channel', `No upstream channel could serve model \`${model}\`.${why}`, retry);
  }
  if (result.allRateLimited) {
    return gatewayError(429, 'rate_limit', 'rate_limited', `Every upstream channel of model \`${model}\` is rate limited. Try again later.`, retry);
  }
  const last = result.lastStatus ? `HTTP ${result.lastStatus}` : `no response (${result.lastError})`;
  return gatewayError(503, 'overloaded', 'no_available_channel', `No upstream channel could serve model \`${model}\`. Last upstream answer: ${last}.`, retry);
}

/** Sticky-session key: the client key plus its session hint, hashed (hints can be long). */
async function sessionKey(apiKeyId: number, hint: string | undefined): Promise<string | undefined> {
  if (!hint) return undefined;
  return (await sha256Hex(`${apiKeyId}:${hint}`)).slice(0, 24);
}

/** The client response for a committed attempt. */
async function reply(call: InboundCall, req: CanonicalRequest, result: Extract<DispatchResult, { kind: 'committed' }>, done: (f: FinalOutcome) => void, bodyMax: number | null): Promise<Response> {
  const logged = async (res: Response) => (bodyMax === null ? undefined : truncateBody(await res.clone().text(), bodyMax));
  const { response: res, channel } = result;
  const client = codecFor(call.protocol);
  const upstream = codecFor(channel.type);
  // Gemini's JSON-array stream cannot be passed through from an `alt=sse` upstream: convert it.
  const same = channel.type === call.protocol && !(call.protocol === 'gemini' && call.streamOptions?.geminiAlt === 'json-array');

  if (res.status < 200 || res.status >= 300) {
    const out = await clientFault(call, channel, res, same, result.redact);
    done({ status: res.status, ok: false, usage: null, error: `upstream HTTP ${res.status}`, responseBody: await logged(out) });
    return out;
  }

  if (result.primed) {
    const filter = same ? passthroughFilter(call.protocol, req) : null;
    const mode: OutputMode = !same ? { kind: 'convert', encoder: client.createStreamEncoder(req, call.streamOptions) }
      : filter ? { kind: 'filter', keep: filter, eol: passthroughEol(call.protocol) } : { kind: 'bytes' };
    const capture = bodyMax === null ? undefined : new BodyCapture(bodyMax);
    const body = pipeStream(result.primed, mode, {
      idleMs: result.idleTimeoutMs,
      capture,
      secrets: result.secrets,
      errorTail: same ? (err) => streamErrorTail(call.protocol, err) : undefined,
      onDone: (summary) => done({
        status: 200,
        ok: summary.endedBy === 'upstream' && summary.error === null,
        usage: summary.usage,
        firstEventAt: result.attemptStartedAt + result.primed!.firstEventMs,
        error: summary.error ? result.redact(summary.error.message) : summary.endedBy === 'client' ? 'the client closed the stream' : null,
        responseBody: capture?.text(),
      }),
    });
    const contentType = same ? (res.headers.get('content-type') ?? client.streamContentType(call.streamOptions)) : client.streamContentType(call.streamOptions);
    return new Response(body, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-cache' } });
  }

  // An upstream may echo its key even in a success body: the client never sees it.
  const text = result.redact(result.body ?? '');
  let decoded;
  try {
    decoded = upstream.decodeResponse(JSON.parse(text));
  } catch {
    decoded = null;
  }
  // A passthrough answer goes out as it came, even one the gateway cannot read (then without usage).
  if (same) {
    done({ status: res.status, ok: true, usage: decoded?.usage ?? null, error: decoded ? null : 'unreadable upstream body', responseBody: bodyMax === null ? undefined : truncateBody(text, bodyMax) });
    return new Response(text, { status: res.status, headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' } });
  }
  if (!decoded) {
    const out = protocolError(call.protocol, gatewayError(502, 'upstream', 'bad_upstream_response', 'The upstream answered with a body the gateway could not read.'));
    done({ status: 502, ok: false, usage: null, error: 'unreadable upstream body', responseBody: await logged(out) });
    return out;
  }
  const encoded = JSON.stringify(client.encodeResponse(decoded, req));
  done({ status: 200, ok: true, usage: decoded.usage, error: null, responseBody: bodyMax === null ? undefined : truncateBody(encoded, bodyMax) });
  return new Response(encoded, { status: 200, headers: { 'content-type': 'application/json' } });
}

/**
 * An upstream client fault (400, 413, 422…): for the same protocol its JSON body as is (minus any
 * echo of the channel key); otherwise, or when the body is not JSON, translated into the client's
 * protocol with the upstream's message.
 */
async function clientFault(call: InboundCall, channel: Channel, res: Response, same: boolean, redact: (s: string) => string): Promise<Response> {
  const text = redact(await readErrorBody(res, 256 * 1024));
  if (same && isJsonObject(text)) return new Response(text, { status: res.status, headers: { 'content-type': 'application/json' } });
  const info = codecFor(channel.type).decodeError(res.status, text);
  return protocolError(call.protocol, gatewayError(res.status || STATUS_BY_KIND[info.kind], info.kind, info.code ?? 'upstream_error', redact(info.message)));
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
