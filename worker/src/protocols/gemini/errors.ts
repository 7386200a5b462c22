/**
 * Gemini errors: `{"error": {"code": <HTTP status>, "message", "status": <google.rpc.Code name>,
 * "details": [...]}}` (Gemini API "Troubleshooting" / google.rpc.Status; Google AIP-193).
 * A 429 may carry `google.rpc.RetryInfo {retryDelay: "34.4s"}` (fixture vercel__google-429-retry-info.json).
 */
import { kindOfStatus, type ErrorKind, type GatewayError, type UpstreamErrorInfo } from '../canonical';
import { field, isObject, numberField, stringField, type Json } from './wire';

/** google.rpc.Code name → error kind. */
const KIND_BY_STATUS: Record<string, ErrorKind> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNIMPLEMENTED: 'invalid_request',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
  INTERNAL: 'upstream',
  UNKNOWN: 'upstream',
  ABORTED: 'upstream',
  DATA_LOSS: 'upstream',
  CANCELLED: 'upstream',
};

/** Error kind → google.rpc.Code name sent to Gemini clients. */
const STATUS_BY_KIND: Record<ErrorKind, string> = {
  authentication: 'UNAUTHENTICATED',
  permission: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  invalid_request: 'INVALID_ARGUMENT',
  request_too_large: 'INVALID_ARGUMENT',
  rate_limit: 'RESOURCE_EXHAUSTED',
  overloaded: 'UNAVAILABLE',
  timeout: 'DEADLINE_EXCEEDED',
  upstream: 'UNAVAILABLE',
  internal: 'INTERNAL',
};

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

/**
 * Seconds of a protobuf Duration in JSON form (`"34.4s"`, `"900ms"` as Gemini CLI also accepts),
 * rounded up to whole seconds (it becomes a Retry-After header).
 */
export function parseRetryDelay(delay: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/.exec(delay);
  if (!m) return undefined;
  const seconds = Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
  return Math.ceil(seconds);
}

function retryAfterOf(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (isObject(d) && d['@type'] === RETRY_INFO) {
      const delay = field(d, 'retryDelay');
      if (typeof delay === 'string') return parseRetryDelay(delay);
    }
  }
  return undefined;
}

/**
 * True when an ErrorInfo reason says the API key is bad: Gemini answers an invalid key with
 * 400 INVALID_ARGUMENT + ErrorInfo `API_KEY_INVALID`, which must count as an authentication failure.
 */
function authReason(details: unknown): boolean {
  if (!Array.isArray(details)) return false;
  return details.some((d) => isObject(d) && d['@type'] === ERROR_INFO && typeof d.reason === 'string' && /^API_KEY_(INVALID|EXPIRED)$/.test(d.reason));
}

/** An `error` object (HTTP error body or in-stream error chunk) → canonical error info. */
export function errorInfoFromGoogle(error: Json, httpStatus?: number): UpstreamErrorInfo {
  const status = stringField(error, 'status');
  const code = numberField(error, 'code') ?? httpStatus;
  const byStatus = status ? KIND_BY_STATUS[status] : undefined;
  const kind = authReason(field(error, 'details')) ? 'authentication' : byStatus ?? (code !== undefined ? kindOfStatus(code) : 'upstream');
  const message = stringField(error, 'message') ?? status ?? 'Gemini error';
  const retryAfterSeconds = retryAfterOf(field(error, 'details'));
  const providerCode = status ?? (code !== undefined ? String(code) : undefined);
  return {
    kind,
    message,
    ...(providerCode !== undefined && { code: providerCode }),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
  };
}

/**
 * Reads an upstream error body (text, maybe not JSON; `streamGenerateContent` without `alt=sse`
 * wraps it in an array) with its HTTP status.
 */
export function decodeGeminiError(status: number, body: string): UpstreamErrorInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (isObject(parsed) && isObject(parsed.error)) return errorInfoFromGoogle(parsed.error, status);
  const text = body.trim();
  return { kind: kindOfStatus(status), message: text === '' ? `HTTP ${status}` : text.slice(0, 2000), code: String(status) };
}

/**
 * The `error` object for a gateway error: `code` is the HTTP status, `status` the google.rpc.Code name
 * of its kind, `details` an ErrorInfo carrying the gateway's own code (and the offending field) plus a
 * RetryInfo when a retry delay is known (Gemini CLI reads RetryInfo to schedule its retry).
 */
export function googleErrorObject(err: Pick<GatewayError, 'kind' | 'code' | 'message' | 'param' | 'retryAfterSeconds'>, httpStatus: number): Json {
  const details: Json[] = [{ '@type': ERROR_INFO, reason: err.code, domain: 'octopus-edge', ...(err.param && { metadata: { param: err.param } }) }];
  if (err.retryAfterSeconds !== undefined) details.push({ '@type': RETRY_INFO, retryDelay: `${err.retryAfterSeconds}s` });
  return { code: httpStatus, message: err.message, status: STATUS_BY_KIND[err.kind], details };
}

/**
 * HTTP status for a Gemini client. `overloaded` defaults to 529 (an Anthropic status); Google reports
 * overload as 503 UNAVAILABLE, which Gemini clients retry, so 529 becomes 503.
 */
export function geminiHttpStatus(err: Pick<GatewayError, 'kind' | 'status'>): number {
  return err.kind === 'overloaded' && err.status === 529 ? 503 : err.status;
}

/** A gateway error as a Gemini client expects it: status and `{"error": {...}}` body. */
export function encodeGeminiError(err: GatewayError): { status: number; body: unknown } {
  const status = geminiHttpStatus(err);
  return { status, body: { error: googleErrorObject(err, status) } };
}

/** google.rpc.Code name for an error kind (for in-stream error chunks). */
export function googleStatusOf(kind: ErrorKind): string {
  return STATUS_BY_KIND[kind];
}
