/**
 * Anthropic error bodies: `{"type": "error", "error": {"type", "message"}, "request_id"}` (Anthropic
 * API reference, "Errors": 400 invalid_request_error, 401 authentication_error, 402 billing_error,
 * 403 permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
 * 500 api_error, 504 timeout_error, 529 overloaded_error). The same shape arrives in a stream as
 * `event: error` after a 200.
 */
import { kindOfStatus, type ErrorKind, type GatewayError, type UpstreamErrorInfo } from '../canonical';
import { isRecord, parseJson, type Json } from './wire';

const KIND_BY_TYPE: Record<string, ErrorKind> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  billing_error: 'permission',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'request_too_large',
  rate_limit_error: 'rate_limit',
  timeout_error: 'timeout',
  api_error: 'upstream',
  overloaded_error: 'overloaded',
};

const TYPE_BY_KIND: Record<ErrorKind, string> = {
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  invalid_request: 'invalid_request_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  overloaded: 'overloaded_error',
  timeout: 'timeout_error',
  upstream: 'api_error',
  internal: 'api_error',
};

/** Longest message taken from a non-JSON body (an HTML page from a proxy), characters. */
const MAX_TEXT_MESSAGE = 500;

/**
 * Error info from a parsed error body (Anthropic's shape, or the `{error: {message, type}}` /
 * `{message}` shapes of proxies in front of it). The error `type` decides the kind when known,
 * else the HTTP `status`.
 */
export function errorInfoFromBody(body: Json, status: number): UpstreamErrorInfo {
  const err = isRecord(body.error) ? body.error : body;
  const type = typeof err.type === 'string' && err.type !== 'error' ? err.type : undefined;
  const message = typeof err.message === 'string' && err.message !== '' ? err.message
    : typeof body.message === 'string' ? body.message
      : typeof body.error === 'string' ? body.error
        : `Upstream error (HTTP ${status})`;
  return { kind: (type && KIND_BY_TYPE[type]) || kindOfStatus(status), message, ...(type && { code: type }) };
}

/** Reads an upstream error response (any text, maybe not JSON) with its HTTP status. */
export function decodeError(status: number, bodyText: string): UpstreamErrorInfo {
  const body = parseJson(bodyText);
  if (isRecord(body)) return errorInfoFromBody(body, status);
  const text = bodyText.trim();
  return { kind: kindOfStatus(status), message: text === '' ? `Upstream error (HTTP ${status})` : text.slice(0, MAX_TEXT_MESSAGE) };
}

/** Anthropic error `type` for a gateway error (402 stays `billing_error`). */
export function errorType(kind: ErrorKind, status?: number): string {
  return status === 402 ? 'billing_error' : TYPE_BY_KIND[kind];
}

/** The client-facing error: the gateway's status and Anthropic's error body. */
export function encodeError(err: GatewayError): { status: number; body: Json } {
  return { status: err.status, body: { type: 'error', error: { type: errorType(err.kind, err.status), message: err.message } } };
}
