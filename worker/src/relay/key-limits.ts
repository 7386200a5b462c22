/**
 * Client-key limits on the relay path: admission before dispatch, settlement after the request.
 * Keys without limits never reach a limits holder (no extra round trip).
 */
import type { RequestRecord } from '../accounting/records';
import type { ApiKey } from '../db/types';
import { hasLimits } from '../limits/key-limiter';
import type { KeyLimitSpec, Platform } from '../platform';
import { gatewayError, type GatewayError } from '../protocols/canonical';

function specOf(key: ApiKey): KeyLimitSpec {
  return { keyId: key.id, budgetNanoUsd: key.budgetNanoUsd, rpmLimit: key.rpmLimit, tpmLimit: key.tpmLimit };
}

/**
 * null when the key may send this request, else the 429 to answer with: `rate_limit_exceeded`
 * with Retry-After (seconds, rounded up) for RPM/TPM; `insufficient_quota` without Retry-After for
 * a spent budget, which does not refill with time (OpenAI answers a spent quota the same way).
 */
export async function admitKey(p: Platform, key: ApiKey): Promise<GatewayError | null> {
  const spec = specOf(key);
  if (!hasLimits(spec)) return null;
  const a = await p.limits.admit(spec);
  if (a.ok) return null;
  if (a.limit === 'budget') return gatewayError(429, 'rate_limit', 'insufficient_quota', a.message, { noRetry: true });
  return gatewayError(429, 'rate_limit', 'rate_limit_exceeded', a.message, { retryAfterSeconds: Math.ceil((a.retryAfterMs ?? 1000) / 1000) });
}

/** Counts a finished request against its key's limits, off the critical path. */
export function settleKey(p: Platform, key: ApiKey, record: RequestRecord): void {
  if (hasLimits(specOf(key))) p.defer(p.limits.settle(key.id, record));
}
