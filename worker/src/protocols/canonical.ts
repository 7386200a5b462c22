/**
 * The canonical form every protocol decodes to and encodes from. This module holds the shared
 * error shape; request, response and stream types live beside it as the protocol core grows.
 */

/** Broad error class; each protocol maps it to its own error `type` and HTTP status. */
export type ErrorKind =
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'invalid_request'
  | 'rate_limit'
  | 'overloaded'
  | 'timeout'
  | 'upstream'
  | 'internal';

/** An error the gateway itself answers with, before or instead of an upstream reply. */
export interface GatewayError {
  /** HTTP status to send. */
  status: number;
  kind: ErrorKind;
  /** Machine-readable code, e.g. `invalid_api_key`, `model_not_found`, `no_available_channel`. */
  code: string;
  message: string;
  /** Offending request field, dotted path, when there is one. */
  param?: string;
  /** Seconds; sent as the `Retry-After` header. */
  retryAfterSeconds?: number;
}

/** Shorthand constructor. */
export function gatewayError(status: number, kind: ErrorKind, code: string, message: string, extra: Partial<GatewayError> = {}): GatewayError {
  return { status, kind, code, message, ...extra };
}
