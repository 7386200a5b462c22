/**
 * What a client hears when no candidate served its request (DESIGN.md "Fault classes": with no
 * candidate left the request ends "with 503 (or the last upstream error)").
 *
 * - Every member was tried and the last one answered with an HTTP error: that status and its
 *   message, in the client's protocol (the upstream's own body when it speaks the client's protocol
 *   and the status is unchanged). A 404 "model not found", 400, 413 or 422 is something the client
 *   must act on; a 503 would make SDKs retry it in vain (the OpenAI and Anthropic SDKs retry 408,
 *   409, 429 and every 5xx; see their READMEs, "Retries").
 * - 429 (with Retry-After) only for rate limits: the last attempt rate limited, or no member left
 *   because every key cools down after a 429.
 * - 503 only for unavailability: no response (network error, timeout, a broken or empty answer),
 *   every member cooling down after failures, no member at all; and an upstream 503 or 529
 *   (529 stays 529 for Anthropic clients only: it is Anthropic's status, unknown to the others).
 * - 502 when the upstream refused the gateway's own credentials or account (401, 402, 403, 407):
 *   the client's key is fine, so repeating an "unauthorized" would mislead it. Those upstream
 *   messages are not repeated: they are where providers echo (parts of) the key.
 * - An error event that opened the last attempt's stream counts like the HTTP status of its kind.
 *
 * Upstream text reaching the client was redacted of the attempt's credentials by the dispatcher.
 */
import { STATUS_BY_KIND, gatewayError, type GatewayError, type ProtocolName, type UpstreamErrorInfo } from '../protocols/canonical';
import { codecFor } from '../protocols/index';
import { KEY_COOLDOWN_RATE_MS } from '../routing/health';
import type { DispatchResult } from './dispatch';

type Exhausted = Extract<DispatchResult, { kind: 'exhausted' }>;

/** The answer for an exhausted request: the gateway error, or the upstream's own body to send as is with its status. */
export interface ExhaustedReply {
  /** Status, kind and message (the log's error); encoded in the client's protocol unless `upstreamBody` is set. */
  error: GatewayError;
  /** Same protocol: the upstream's JSON error body (redacted), sent with `error.status`. */
  upstreamBody?: string;
}

/** Upstream statuses that say the gateway's credentials or account were refused, not the client's request. */
const CREDENTIAL_STATUSES = new Set([401, 402, 403, 407]);

/**
 * The reply after every candidate failed, for a client speaking `client` that asked for `model`.
 * Pure; see the module comment for the rules.
 */
export function exhaustedReply(client: ProtocolName, model: string, result: Exhausted): ExhaustedReply {
  const retry = result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {};
  if (result.outcomes.length === 0) {
    if (result.rateLimited) {
      const wait = result.retryAfterSeconds ?? Math.ceil(KEY_COOLDOWN_RATE_MS / 1000);
      return { error: gatewayError(429, 'rate_limit', 'rate_limit_exceeded', `Every upstream channel of model \`${model}\` is rate limited. Please try again in ${wait}s.`, { retryAfterSeconds: wait }) };
    }
    const why = result.retryAfterSeconds !== undefined ? ' Every member is cooling down after failures.' : ' The group has no available member.';
    return { error: gatewayError(503, 'overloaded', 'no_available_channel', `No upstream channel could serve model \`${model}\`.${why}`, retry) };
  }
  const answer = result.lastAnswer;
  if (answer) {
    if (CREDENTIAL_STATUSES.has(answer.status)) return { error: credentialsRefused(model, `HTTP ${answer.status}`, retry) };
    const info = codecFor(answer.protocol).decodeError(answer.status, answer.body);
    const status = answer.status === 529 && client !== 'anthropic' ? 503 : answer.status;
    const extra = status === 429 ? { retryAfterSeconds: rateLimitWait(result, info) } : retry;
    const error = gatewayError(status, info.kind, info.code ?? 'upstream_error', info.message, extra);
    const asIs = answer.protocol === client && status === answer.status && isJsonObject(answer.body);
    return asIs ? { error, upstreamBody: answer.body } : { error };
  }
  const streamed = result.lastStreamError;
  if (streamed) return { error: streamErrorReply(model, streamed, result) };
  const last = result.lastStatus ? `HTTP ${result.lastStatus}` : `no response (${result.lastError})`;
  return { error: gatewayError(503, 'overloaded', 'no_available_channel', `No upstream channel could serve model \`${model}\`. Last upstream answer: ${last}.`, retry) };
}

/**
 * An error event that opened the last attempt's stream (HTTP 200, then an error before any
 * content): its kind picks the status, as an HTTP status would have (a Responses stream reports
 * `insufficient_quota` or `context_length_exceeded` this way).
 */
function streamErrorReply(model: string, info: UpstreamErrorInfo, result: Exhausted): GatewayError {
  const retry = result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {};
  const code = info.code ?? 'upstream_error';
  switch (info.kind) {
    case 'authentication': case 'permission':
      return credentialsRefused(model, `a ${info.kind} error in the stream`, retry);
    case 'rate_limit':
      return gatewayError(429, 'rate_limit', code, info.message, { retryAfterSeconds: rateLimitWait(result, info) });
    case 'invalid_request': case 'not_found': case 'request_too_large':
      return gatewayError(STATUS_BY_KIND[info.kind], info.kind, code, info.message);
    default:
      return gatewayError(503, info.kind, code, info.message, retry);
  }
}

/** The 502 for credentials the upstream refused; `what` names the refusal (no upstream words: they may echo the key). */
function credentialsRefused(model: string, what: string, retry: Partial<GatewayError>): GatewayError {
  return gatewayError(502, 'upstream', 'upstream_auth_failed', `The upstream refused the gateway's credentials for model \`${model}\` (${what}). The gateway's administrator must fix the channel.`, retry);
}

/** Seconds a rate-limited client waits: the upstream's Retry-After, else its own hint, else the key's cooldown. */
function rateLimitWait(result: Exhausted, info: UpstreamErrorInfo): number {
  if (result.retryAfterSeconds !== undefined) return result.retryAfterSeconds;
  return Math.ceil(info.retryAfterSeconds ?? KEY_COOLDOWN_RATE_MS / 1000);
}

/** Whether `text` is the JSON of an object (not an array, not a scalar, not invalid). */
export function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
