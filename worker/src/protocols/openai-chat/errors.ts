/**
 * OpenAI error bodies: `{"error":{"message","type","param","code"}}`
 * (OpenAI API reference, "Error codes" / error object).
 */
import type { ErrorKind, GatewayError } from '../canonical';

const TYPE_BY_KIND: Record<ErrorKind, string> = {
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
  return { error: { message: err.message, type: TYPE_BY_KIND[err.kind], param: err.param ?? null, code: err.code } };
}
