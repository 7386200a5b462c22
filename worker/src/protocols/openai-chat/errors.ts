/**
 * OpenAI error bodies: `{"error":{"message","type","param","code"}}`
 * (OpenAI API reference, "Error codes" / error object). Compatible vendors vary: OpenRouter puts
 * the HTTP status in a numeric `error.code`, some send `{"error":"text"}`, `{"message":...}` or a
 * one-element array, and proxies in front of them answer with HTML or plain text.
 */
import type { ErrorKind, GatewayError, UpstreamErrorInfo } from '../canonical';
import { kindOfStatus } from '../canonical';
import { isObject, type JsonObject } from './wire';

/** OpenAI error `type` for each error kind; the Responses API uses the same error object. */
export const OPENAI_ERROR_TYPE_BY_KIND: Record<ErrorKind, string> = {
  authentication: 'invalid_request_error',
  permission: 'invalid_request_error',
  not_found: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  overloaded: 'server_error',
  timeout: 'server_error',
  upstream: 'server_error',
  internal: 'server_error',
};

/** OpenAI-shaped error body for a gateway error. */
export function encodeOpenAIError(err: GatewayError): { error: { message: string; type: string; param: string | null; code: string } } {
  return { error: { message: err.message, type: OPENAI_ERROR_TYPE_BY_KIND[err.kind], param: err.param ?? null, code: err.code } };
}

/** The client-facing error: `err.status` and the OpenAI error body. (Retry-After is a header, set by the relay.) */
export function encodeError(err: GatewayError): { status: number; body: unknown } {
  return { status: err.status, body: encodeOpenAIError(err) };
}

/** Longest upstream text kept as an error message, characters. */
const MAX_MESSAGE = 2000;

/**
 * Reads an upstream error reply. The kind comes from the HTTP status (`kindOfStatus`); message and
 * code from the body when it is an OpenAI-style error, else the body text itself (cut to
 * 2000 characters). Retry-After is a header: the relay adds `retryAfterSeconds`.
 */
export function decodeError(status: number, body: string): UpstreamErrorInfo {
  const kind = kindOfStatus(status);
  const err = errorObject(parseJson(body));
  if (err) return { ...describe(err, body, status), kind };
  const text = body.trim();
  return { kind, message: text === '' ? `HTTP ${status}` : text.slice(0, MAX_MESSAGE) };
}

/**
 * An error found inside a stream (`data: {"error":{...}}`). There is no HTTP status, so the kind
 * comes from a numeric `code` (OpenRouter sends the status there) or from the type / code words.
 */
export function streamErrorInfo(error: unknown): UpstreamErrorInfo {
  const err: JsonObject = isObject(error) ? error : { message: typeof error === 'string' ? error : 'upstream stream error' };
  const status = typeof err.code === 'number' ? err.code : typeof err.status === 'number' ? err.status : undefined;
  const words = [err.type, err.code].filter((w): w is string => typeof w === 'string');
  const kind = status !== undefined ? kindOfStatus(status) : kindOfWords(words);
  return { ...describe(err, '', status ?? 0), kind };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error object inside a parsed body: `{error:{...}}`, `{error:"text"}`, `[{error:{...}}]` or `{message}`. */
function errorObject(v: unknown): JsonObject | undefined {
  if (Array.isArray(v)) return errorObject(v[0]);
  if (!isObject(v)) return undefined;
  if (isObject(v.error)) return v.error;
  if (typeof v.error === 'string') return { message: v.error, ...(typeof v.code === 'string' && { code: v.code }) };
  if (typeof v.message === 'string') return v;
  return undefined;
}

function describe(err: JsonObject, body: string, status: number): Omit<UpstreamErrorInfo, 'kind'> {
  const message = typeof err.message === 'string' && err.message !== '' ? err.message
    : body.trim() !== '' ? body.trim().slice(0, MAX_MESSAGE) : `HTTP ${status}`;
  const code = typeof err.code === 'string' ? err.code
    : typeof err.code === 'number' ? String(err.code)
    : typeof err.type === 'string' ? err.type : undefined;
  return code !== undefined ? { message, code } : { message };
}

/** Error kind from OpenAI-style `type` / `code` words. */
function kindOfWords(words: string[]): ErrorKind {
  const has = (...ws: string[]) => words.some((w) => ws.includes(w));
  if (has('rate_limit_exceeded', 'rate_limit_error', 'insufficient_quota', 'tokens', 'requests')) return 'rate_limit';
  if (has('overloaded', 'overloaded_error', 'server_overloaded', 'service_unavailable')) return 'overloaded';
  if (has('authentication_error', 'invalid_api_key')) return 'authentication';
  if (has('permission_error', 'permission_denied')) return 'permission';
  if (has('not_found_error', 'model_not_found')) return 'not_found';
  if (has('request_too_large')) return 'request_too_large';
  if (has('invalid_request_error', 'invalid_request', 'unsupported_parameter', 'context_length_exceeded')) return 'invalid_request';
  if (has('timeout', 'request_timeout')) return 'timeout';
  return 'upstream';
}
