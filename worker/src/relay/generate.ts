/**
 * One generation request in any inbound protocol, to any channel type:
 * authenticate → decode → find the group → attempt loop (encode per candidate) → reply.
 * Same protocol in and out is passed through (model and auth rewritten, a tap reads usage);
 * otherwise the reply is converted through the canonical form.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { CLIENT_CLOSED_STATUS } from '../accounting/records';
import { currentConfig, StoreUnavailableError, type ConfigSnapshot } from '../config/snapshot';
import {
  RequestDecodeError, STATUS_BY_KIND, gatewayError, type CanonicalRequest, type CanonicalResponse, type GatewayError, type ProtocolName,
} from '../protocols/canonical';
import type { StreamEncoderOptions } from '../protocols/codec';
import { codecFor } from '../protocols/index';
import { carriesEnvelope, passthroughBody, passthroughEdits, passthroughEol, passthroughFilter, streamErrorTail } from '../protocols/passthrough';
import type { ApiKey, Channel, Route } from '../db/types';
import type { ResolvedVia } from '../config/resolve';
import type { Platform } from '../platform';
import { sha256Hex } from '../lib/crypto';
import { authenticateClient, keyAllowsGroup, touchKey } from './auth';
import { BodyError, RELAY_BODY_LIMIT, readCappedText, scanJson, spliceMembers, type JsonScan } from './body';
import { dispatch, releasePlan, startPlan, type DispatchResult } from './dispatch';
import { exhaustedReply, isJsonObject } from './exhausted';
import { pipeStream, type OutputMode } from './pipeline';
import { admitKey, settleKey } from './key-limits';
import type { AbortSource } from '../lib/abort';
import { clientSignalOf } from './client-signal';
import { UNROUTED_GROUP_ID, buildRecord, serverToolLogFields, unroutedRecord, type FinalOutcome, type RecordContext } from './record';
import { noteUnauthenticated } from './refusals';
import { readErrorBody, type UpstreamResponse } from './upstream';
import { BodyCapture, truncateBody } from './body-log';
import { MAX_JSON_DEPTH } from './json-depth';
import { patchBody } from '../lib/overrides';
import {
  TurnReasoningCollector, recallIds, remembersReasoning, remembersTextSignatures, routeHasAnthropic, routeHasType, textRecallIds, textTurnOfResponse,
  turnOfResponse, withRecalled, withRecalledTextSignatures,
} from './reasoning-recall';
import type { ReasoningTurn } from '../routing/reasoning-memory';

/** How the inbound endpoint was called. */
export interface InboundCall {
  protocol: ProtocolName;
  /** Gemini: model and streaming come from the URL. */
  hints?: { model?: string; stream?: boolean };
  streamOptions?: StreamEncoderOptions;
  /** Client headers forwarded to a same-protocol upstream (e.g. `anthropic-beta`). */
  forwardHeaders?: string[];
}

/** 404 for a model that is unknown, disabled or not allowed for the key (the message quotes at most 100 characters). */
export function modelNotFound(model: string): GatewayError {
  const shown = model.length > 100 ? `${model.slice(0, 100)}…` : model;
  return gatewayError(404, 'not_found', 'model_not_found', `The model \`${shown}\` does not exist or you do not have access to it.`, { param: 'model' });
}

/** A route found for a requested name, with how the name reached it (config/resolve.ts). */
export interface FoundRoute {
  route: Route;
  via: ResolvedVia;
  /** The pattern that caught the name, when `via` is `pattern`. */
  pattern?: string;
}

/**
 * The route a key may use for a requested model name, from the snapshot (no database read):
 * resolved by name, alias or pattern, then checked for being enabled and allowed to the key.
 * @returns null when the name reaches no group, a disabled one, or one the key may not use
 * (answered alike, so a key cannot probe for names).
 */
export function findRouteFor(config: ConfigSnapshot, model: string, key: ApiKey): FoundRoute | null {
  const found = config.resolver.resolve(model);
  if (!found || !found.group.enabled || !keyAllowsGroup(key, found.group.name)) return null;
  const route = config.routes.get(found.group.name);
  return route ? { route, via: found.via, ...(found.pattern !== undefined && { pattern: found.pattern }) } : null;
}

/** What a record keeps of the requested name: only when an alias or pattern (not the group's name) brought it. */
export function requestedName(model: string, found: FoundRoute): RecordContext['requested'] {
  return found.via === 'name' ? undefined : { model, via: found.via, ...(found.pattern !== undefined && { pattern: found.pattern }) };
}

/** A JSON error response in the client's protocol. */
export function protocolError(protocol: ProtocolName, err: GatewayError): Response {
  const { status, body } = codecFor(protocol).encodeError(err);
  return new Response(JSON.stringify(body), { status, headers: errorHeaders(err) });
}

/** Headers of a JSON error answer: Retry-After (whole seconds) and the SDKs' no-retry hint when the error has them. */
function errorHeaders(err: GatewayError): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(0, Math.ceil(err.retryAfterSeconds)));
  if (err.noRetry) headers['x-should-retry'] = 'false';
  return headers;
}

/** Seconds a client is told to wait when the gateway's database is unreachable. */
export const UNAVAILABLE_RETRY_SECONDS = 2;

/** The 503 for a request the gateway cannot serve because its own database failed. */
export function storeUnavailable(): GatewayError {
  return gatewayError(503, 'overloaded', 'service_unavailable', 'The gateway cannot reach its database. Try again shortly.', { retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS });
}

/** The 499 recorded (never seen by anyone) for a request whose client went away before an answer. */
const clientClosed = (message: string) => gatewayError(CLIENT_CLOSED_STATUS, 'invalid_request', 'client_closed', message);

/** The error a refused body earns. */
function bodyRefusal(err: BodyError): GatewayError {
  const p = err.problem;
  if (p.kind === 'too_large') return gatewayError(413, 'request_too_large', 'request_too_large', err.message);
  if (p.kind === 'too_deep') return gatewayError(400, 'invalid_request', 'invalid_request', err.message);
  return clientClosed(err.message);
}

/**
 * Handles a generation request; never throws for bad input, upstream trouble or a database failure.
 * Order: configuration snapshot (memory) → client key from the headers (no body read for an unknown
 * key) → body (capped, nesting pre-scanned, then parsed) → group → plan and key admission together
 * (one hop on the critical path) → attempt loop → reply.
 */
export async function handleGenerate(c: Context<AppEnv>, call: InboundCall): Promise<Response> {
  const p = c.get('platform');
  const start = p.now();
  const incoming = c.req.raw;
  const client = codecFor(call.protocol);
  const fail = (err: GatewayError) => protocolError(call.protocol, err);
  let model = call.hints?.model ?? '';
  let stream = call.hints?.stream ?? false;

  let config: ConfigSnapshot;
  try {
    config = await currentConfig(p);
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    p.logger.warn('relay refused: configuration unavailable', { error: err.causeMessage.slice(0, 300) });
    return refuseUnrouted(p, call.protocol, { start, apiKeyId: 0, model, stream, err: storeUnavailable() });
  }
  const auth = await authenticateClient(p, incoming, config);
  if ('error' in auth) {
    noteUnauthenticated(p, auth.reason, call.protocol, start);
    return fail(auth.error);
  }
  const key = auth.key;
  const bodyMax = config.settings.logBodies ? config.settings.logBodyMaxBytes : null;
  let rawBody = '';
  // A request refused before it reaches a group is still logged (under the "unrouted" object).
  const refuse = (err: GatewayError) => refuseUnrouted(p, call.protocol, { start, apiKeyId: key.id, model, stream, err, requestBody: bodyMax === null ? undefined : truncateBody(rawBody, bodyMax), bodyMax });

  let body: Record<string, unknown>;
  let scan: JsonScan;
  try {
    rawBody = await (p.readRequestBody ? p.readRequestBody(RELAY_BODY_LIMIT) : readCappedText(incoming, RELAY_BODY_LIMIT));
    scan = scanJson(rawBody, MAX_JSON_DEPTH);
    if (scan.tooDeep) throw new BodyError({ kind: 'too_deep', maxDepth: MAX_JSON_DEPTH });
  } catch (err) {
    if (err instanceof BodyError) return refuse(bodyRefusal(err));
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(rawBody);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
    if (typeof body.model === 'string') model = body.model;
    if (body.stream === true) stream = true;
  } catch {
    return refuse(gatewayError(400, 'invalid_request', 'invalid_json', 'The request body is not a valid JSON object.'));
  }
  let req: CanonicalRequest;
  try {
    req = client.decodeRequest(body, call.hints ?? {});
  } catch (err) {
    if (err instanceof RequestDecodeError) return refuse(gatewayError(400, 'invalid_request', 'invalid_request', err.message, { param: err.param }));
    throw err;
  }

  const found = findRouteFor(config, req.model, key);
  if (!found) return refuse(modelNotFound(req.model));
  const { route } = found;

  // The plan and the key's admission go out together: one hop on the critical path, not two.
  // A Chat client's tool turn without its signed reasoning: the plan brings it back if remembered.
  // An Anthropic client's text turn of a Gemini answer: its text signatures, the same way.
  const recallFor = (routeHasAnthropic(route) ? recallIds(req) : undefined) ?? (routeHasType(route, 'gemini') ? textRecallIds(req) : undefined);
  const recall = recallFor && { owner: key.id, toolCallIds: recallFor };
  const planned = startPlan(p, route, await sessionKey(key.id, req.user ?? c.req.header('x-session-id')), recall, call.protocol);
  const [admission, planning] = await Promise.allSettled([admitKey(p, key), planned.plan]);
  if (admission.status === 'rejected' || planning.status === 'rejected') {
    if (planning.status === 'fulfilled') releasePlan(p, route, planned, planning.value);
    const why = admission.status === 'rejected' ? admission.reason : (planning as PromiseRejectedResult).reason;
    p.logger.warn('relay refused: routing or key state unavailable', { group: route.group.id, error: String(why instanceof Error ? why.message : why).slice(0, 300) });
    return refuse(storeUnavailable());
  }
  if (admission.value) {
    releasePlan(p, route, planned, planning.value);
    return refuse(admission.value);
  }

  const forwarded: Record<string, string> = {};
  for (const name of call.forwardHeaders ?? []) {
    const v = c.req.header(name);
    if (v) forwarded[name] = v;
  }

  // Another provider's opaque data in the history: convert even for a same-protocol channel (see carriesEnvelope).
  const convertBody = carriesEnvelope(rawBody);
  const recalled = planning.value.reasoning;
  /** The request for a channel of `type`, with what was recalled for exactly that provider. */
  const withRecalledFor = (type: ProtocolName): CanonicalRequest => {
    if (!recalled) return req;
    if (type === 'anthropic') return withRecalled(req, recalled);
    if (type === 'gemini' && call.protocol === 'anthropic') return withRecalledTextSignatures(req, recalled);
    return req;
  };
  const clientSignal = clientSignalOf(c);
  /** The last upstream body built, kept only while bodies are logged. */
  let sentBody: string | undefined;
  const result = await dispatch({
    platform: p,
    config,
    route,
    planned,
    plan: planning.value,
    clientSignal,
    clientProtocol: call.protocol,
    streamDecoder: req.stream ? (ch) => codecFor(ch.type).createStreamDecoder() : undefined,
    acceptBody: req.stream ? undefined : (ch, text) => acceptAnswer(ch.type, text),
    prepare: ({ channel, member, apiKey, overrides }) => {
      const target = codecFor(channel.type);
      const same = channel.type === call.protocol;
      // A body patch (request overrides) applies to the encoded body; without one, passthrough keeps the client's bytes.
      const patches = overrides?.body.length ? overrides.body : null;
      const upstreamBody = same && !convertBody
        ? (patches ? JSON.stringify(patchBody(passthroughBody(call.protocol, body, member.upstreamModel, req), patches))
          : passthroughText(call.protocol, rawBody, scan, body, member.upstreamModel, req))
        // Remembered signed reasoning goes only to the provider that signed it.
        : JSON.stringify(withPatches(target.encodeRequest(withRecalledFor(channel.type), member.upstreamModel), patches));
      // Bodies are logged: the log shows what the last attempt's channel was sent (a reference, no copy).
      if (bodyMax !== null) sentBody = upstreamBody;
      return {
        url: target.upstreamUrl(channel.baseUrl, member.upstreamModel, req.stream),
        headers: {
          'content-type': 'application/json',
          accept: req.stream ? 'text/event-stream' : 'application/json',
          ...(same ? forwarded : {}),
          ...target.upstreamHeaders(apiKey),
          ...channel.headers,
        },
        body: upstreamBody,
      };
    },
  });
  touchKey(p, key);

  // Every request that reached a group leaves a log row and its stats, whatever happened.
  const ctx: RecordContext = { id: crypto.randomUUID(), start, apiKeyId: key.id, route, protocolIn: call.protocol, stream: req.stream, outcomes: result.outcomes, requested: requestedName(req.model, found) };
  // The routing report travels with the record: one call to the group's holder, off the critical path.
  const done = (final: FinalOutcome, reasoning?: ReasoningTurn) => {
    const record = buildRecord(ctx, final, p.now());
    const serverTools = serverToolLogFields(record);
    if (serverTools) p.logger.info('server tools used', serverTools);
    if (bodyMax !== null) {
      record.requestBody = truncateBody(rawBody, bodyMax);
      record.responseBody = final.responseBody ?? null;
      if (sentBody !== undefined && sentBody !== rawBody) record.upstreamRequestBody = truncateBody(sentBody, bodyMax);
    }
    p.defer(p.groups.finish(route.group.id, result.report, record, reasoning));
    settleKey(p, key, record);
    result.release();
  };

  if (result.kind === 'aborted') {
    const err = clientClosed('The client closed the connection before the answer.');
    done({ status: err.status, ok: false, usage: null, error: err.message });
    return fail(err);
  }
  if (result.kind === 'exhausted') {
    const { response: res, error: err } = exhaustedResponse(call.protocol, req.model, result);
    done({ status: err.status, ok: false, usage: null, error: err.message, responseBody: bodyMax === null ? undefined : truncateBody(await res.clone().text(), bodyMax) });
    return res;
  }
  return reply(p, call, req, result, done, bodyMax, clientSignal, key.id);
}

/**
 * Whether a non-stream 2xx body is an answer in the channel's protocol; the decoded answer rides
 * along so the reply does not parse it twice. Anything else (an HTML page from a proxy, garbage) is
 * a channel fault: the next member gets the request, also for a same-protocol passthrough.
 */
function acceptAnswer(protocol: ProtocolName, text: string): { ok: true; value: CanonicalResponse } | { ok: false; error: string } {
  try {
    return { ok: true, value: codecFor(protocol).decodeResponse(JSON.parse(text)) };
  } catch {
    const start = text.slice(0, 80).replace(/\s+/g, ' ');
    return { ok: false, error: `the upstream answered 2xx with a body that is not a ${protocol} answer: ${JSON.stringify(start)}${text.length > 80 ? '…' : ''}` };
  }
}

/** An encoded upstream body with the request overrides' body patches applied, when there are any. */
function withPatches(encoded: Record<string, unknown>, patches: readonly Record<string, unknown>[] | null): Record<string, unknown> {
  return patches ? patchBody(encoded, patches) : encoded;
}

/**
 * The upstream body of a same-protocol request: the client's bytes with `model` (and what the
 * protocol's passthrough rules change) spliced in; rebuilt from the parsed body only when the
 * splice cannot be trusted (duplicate member names).
 */
function passthroughText(protocol: ProtocolName, raw: string, scan: JsonScan, body: Record<string, unknown>, upstreamModel: string, req: CanonicalRequest): string {
  const edits = passthroughEdits(protocol, body, upstreamModel, req);
  if (Object.keys(edits).length === 0) return raw;
  return spliceMembers(raw, scan, edits) ?? JSON.stringify(passthroughBody(protocol, body, upstreamModel, req));
}

/** What refuseUnrouted records. */
interface Refusal {
  start: number;
  apiKeyId: number;
  model: string;
  stream: boolean;
  err: GatewayError;
  /** The request body as it goes to the log (already cut), when bodies are logged. */
  requestBody?: string;
  bodyMax?: number | null;
}

/** Answers a request refused before routing and records it under the "unrouted" holder. */
function refuseUnrouted(p: Platform, protocol: ProtocolName, r: Refusal): Response {
  const res = protocolError(protocol, r.err);
  const rec = unroutedRecord({ start: r.start, now: p.now(), apiKeyId: r.apiKeyId, model: r.model, protocolIn: protocol, stream: r.stream, status: r.err.status, error: r.err.message });
  const bodyMax = r.bodyMax ?? null;
  p.defer((async () => {
    if (bodyMax !== null) {
      rec.requestBody = r.requestBody ?? null;
      rec.responseBody = truncateBody(await res.clone().text(), bodyMax);
    }
    await p.groups.record(UNROUTED_GROUP_ID, rec);
  })());
  return res;
}

/**
 * The response for a request no candidate could serve (relay/exhausted.ts says which status and
 * text), in the client's protocol, with Retry-After when the wait is known; and the error it stands
 * for (status and message, for the log).
 */
export function exhaustedResponse(protocol: ProtocolName, model: string, result: Extract<DispatchResult, { kind: 'exhausted' }>): { response: Response; error: GatewayError } {
  const { error, upstreamBody } = exhaustedReply(protocol, model, result);
  if (upstreamBody === undefined) return { response: protocolError(protocol, error), error };
  return { response: new Response(upstreamBody, { status: error.status, headers: errorHeaders(error) }), error };
}

/** Sticky-session key: the client key plus its session hint, hashed (hints can be long). */
async function sessionKey(apiKeyId: number, hint: string | undefined): Promise<string | undefined> {
  if (!hint) return undefined;
  return (await sha256Hex(`${apiKeyId}:${hint}`)).slice(0, 24);
}

/** The client response for a committed attempt. */
async function reply(p: Platform, call: InboundCall, req: CanonicalRequest, result: Extract<DispatchResult, { kind: 'committed' }>, done: (f: FinalOutcome, reasoning?: ReasoningTurn) => void, bodyMax: number | null, clientSignal: AbortSource, keyId: number): Promise<Response> {
  const logged = async (res: Response) => (bodyMax === null ? undefined : truncateBody(await res.clone().text(), bodyMax));
  const { response: res, channel } = result;
  const client = codecFor(call.protocol);
  // Gemini's JSON-array stream cannot be passed through from an `alt=sse` upstream: convert it.
  // (A non-stream `:generateContent` has no `alt` either, but its whole answer passes through.)
  const same = channel.type === call.protocol && !(call.protocol === 'gemini' && req.stream && call.streamOptions?.geminiAlt === 'json-array');
  // Signed reasoning the client cannot carry back is remembered for its next turn (reasoning-recall.ts).
  const remember = !same && remembersReasoning(call.protocol, channel.type);
  const rememberText = !same && remembersTextSignatures(call.protocol, channel.type);

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
    const collector = remember || rememberText ? new TurnReasoningCollector() : undefined;
    // Held in the runtime's background work until the stream ends, so the record is written even
    // when the client disconnects mid-stream (a Worker's request context would otherwise end with it).
    let streamEnded!: () => void;
    p.defer(new Promise<void>((ok) => (streamEnded = ok)));
    const body = pipeStream(result.primed, mode, {
      idleMs: result.idleTimeoutMs,
      capture,
      secrets: result.secrets,
      clientSignal,
      errorTail: same ? (err) => streamErrorTail(call.protocol, err) : undefined,
      onEvents: collector && ((events) => collector.push(events)),
      onDone: (summary) => {
        try {
          const closed = summary.endedBy === 'client';
          done({
            status: closed ? CLIENT_CLOSED_STATUS : 200,
            ok: summary.endedBy === 'upstream' && summary.error === null,
            usage: summary.usage,
            firstEventAt: result.attemptStartedAt + result.primed!.firstEventMs,
            error: summary.error ? result.redact(summary.error.message) : closed ? 'the client closed the stream' : null,
            responseBody: capture?.text(),
          }, summary.endedBy === 'upstream' && summary.error === null ? (remember ? collector?.turn(keyId) : collector?.textTurn(keyId)) : undefined);
        } finally {
          streamEnded();
        }
      },
    });
    const contentType = same ? (res.headers.get('content-type') ?? client.streamContentType(call.streamOptions)) : client.streamContentType(call.streamOptions);
    return new Response(body, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-cache' } });
  }

  // An upstream may echo its key even in a success body: the client never sees it.
  const text = result.redact(result.body ?? '');
  const decoded = result.accepted as CanonicalResponse;
  // A passthrough answer goes out as it came (credentials redacted).
  if (same) {
    done({ status: res.status, ok: true, usage: decoded.usage, error: null, responseBody: bodyMax === null ? undefined : truncateBody(text, bodyMax) });
    return new Response(text, { status: res.status, headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' } });
  }
  const encoded = result.redact(JSON.stringify(client.encodeResponse(decoded, req)));
  done({ status: 200, ok: true, usage: decoded.usage, error: null, responseBody: bodyMax === null ? undefined : truncateBody(encoded, bodyMax) }, remember ? turnOfResponse(decoded, keyId) : rememberText ? textTurnOfResponse(decoded, keyId) : undefined);
  return new Response(encoded, { status: 200, headers: { 'content-type': 'application/json' } });
}

/**
 * An upstream client fault (400, 413, 422…): for the same protocol its JSON body as is (minus any
 * echo of the channel key); otherwise, or when the body is not JSON, translated into the client's
 * protocol with the upstream's message.
 */
async function clientFault(call: InboundCall, channel: Channel, res: UpstreamResponse, same: boolean, redact: (s: string) => string): Promise<Response> {
  const text = redact(await readErrorBody(res, 256 * 1024));
  if (same && isJsonObject(text)) return new Response(text, { status: res.status, headers: { 'content-type': 'application/json' } });
  const info = codecFor(channel.type).decodeError(res.status, text);
  return protocolError(call.protocol, gatewayError(res.status || STATUS_BY_KIND[info.kind], info.kind, info.code ?? 'upstream_error', redact(info.message)));
}

