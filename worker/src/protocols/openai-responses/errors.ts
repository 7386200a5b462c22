/**
 * Errors in OpenAI's shape (OpenAI API reference, "Error codes"): HTTP bodies are
 * `{"error":{"message","type","param","code"}}`; in a Responses stream an `error` event and a
 * `response.failed` whose `response.error` is `{code, message}`.
 */
import type { ErrorKind, GatewayError, UpstreamErrorInfo } from '../canonical';
import { kindOfStatus } from '../canonical';
import { OPENAI_ERROR_TYPE_BY_KIND } from '../openai-chat/errors';
import { isRecord, parseJson, str } from './wire';


/** OpenAI error codes whose meaning is clearer than the HTTP status (or that come without one, in streams). */
const KIND_BY_CODE: Record<string, ErrorKind> = {
  insufficient_quota: 'rate_limit',
  rate_limit_exceeded: 'rate_limit',
  rate_limit_error: 'rate_limit',
  server_is_overloaded: 'overloaded',
  slow_down: 'overloaded',
  context_length_exceeded: 'invalid_request',
  invalid_prompt: 'invalid_request',
  invalid_request_error: 'invalid_request',
  invalid_api_key: 'authentication',
  model_not_found: 'not_found',
  server_error: 'upstream',
};

/** OpenAI codes a Responses client (Codex) understands; other providers' codes are replaced by the kind's code. */
const CLIENT_CODES = new Set([
  'insufficient_quota', 'rate_limit_exceeded', 'server_is_overloaded', 'slow_down', 'context_length_exceeded',
  'invalid_prompt', 'invalid_api_key', 'model_not_found', 'server_error', 'usage_not_included',
]);

const CODE_BY_KIND: Record<ErrorKind, string> = {
  authentication: 'invalid_api_key',
  permission: 'permission_denied',
  not_found: 'model_not_found',
  invalid_request: 'invalid_request_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_exceeded',
  overloaded: 'server_is_overloaded',
  timeout: 'timeout',
  upstream: 'server_error',
  internal: 'server_error',
};

/** "Please try again in 1.5s" / "in 20ms" (the form OpenAI rate-limit messages use), in seconds. */
export function retryHint(message: string): number | undefined {
  const m = /try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?)\b/i.exec(message);
  if (!m) return undefined;
  const value = Number(m[1]);
  return m[2]!.toLowerCase() === 'ms' ? value / 1000 : value;
}

/** Error info from an OpenAI error code and message (stream `error` events, `response.failed`). */
export function errorInfo(code: string | undefined, message: string, status?: number): UpstreamErrorInfo {
  const kind = (code !== undefined ? KIND_BY_CODE[code] : undefined) ?? (status !== undefined ? kindOfStatus(status) : 'upstream');
  const retry = retryHint(message);
  return { kind, message, ...(code !== undefined && { code }), ...(retry !== undefined && { retryAfterSeconds: retry }) };
}

/**
 * Reads an upstream error body (maybe not JSON) with its HTTP status. The kind comes from the
 * OpenAI `code` (or `type`) when it says more than the status, e.g. `insufficient_quota`.
 */
export function decodeError(status: number, body: string): UpstreamErrorInfo {
  const parsed = parseJson(body);
  const e = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  const message = str(e?.message) ?? (body.trim() !== '' ? body.trim().slice(0, 1000) : `HTTP ${status}`);
  const code = str(e?.code) ?? str(e?.type);
  const info = errorInfo(code, message, status);
  // A status the code does not explain (e.g. 401 with type invalid_request_error) wins.
  if (code !== undefined && KIND_BY_CODE[code] === 'invalid_request' && status !== 400) info.kind = kindOfStatus(status);
  return info;
}

/** The client-facing error: the gateway's status and an OpenAI error body. */
export function encodeError(err: GatewayError): { status: number; body: unknown } {
  return {
    status: err.status,
    body: { error: { message: err.message, type: OPENAI_ERROR_TYPE_BY_KIND[err.kind], param: err.param ?? null, code: err.code } },
  };
}

/** `{code, message}` for a Responses client's stream: known OpenAI codes kept, others by kind; retry hint in the text. */
export function clientStreamError(err: UpstreamErrorInfo): { code: string; message: string } {
  const code = err.code !== undefined && CLIENT_CODES.has(err.code) ? err.code : CODE_BY_KIND[err.kind];
  let message = err.message;
  if (err.retryAfterSeconds !== undefined && !/try again in/i.test(message)) {
    message += ` Please try again in ${err.retryAfterSeconds}s.`;
  }
  return { code, message };
}
