/**
 * Client API key authentication for the relay endpoints.
 * Keys arrive as `Authorization: Bearer` (OpenAI SDK, Anthropic SDK), `x-api-key` (Anthropic),
 * `x-goog-api-key` or `?key=` (Gemini). Only the SHA-256 of a key is ever looked up.
 */
import type { ApiKey } from '../db/types';
import { sha256Hex } from '../lib/crypto';
import { gatewayError, type GatewayError } from '../protocols/canonical';
import type { Platform } from '../platform';

/** The client key carried by a request, or null when there is none. */
export function extractClientKey(req: Request): string | null {
  const auth = req.headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const direct = req.headers.get('x-api-key') ?? req.headers.get('x-goog-api-key');
  if (direct) return direct.trim();
  const q = new URL(req.url).searchParams.get('key');
  return q ? q.trim() : null;
}

/** Resolves the request's client key. Errors are 401 (missing, unknown, disabled or expired key). */
export async function authenticateClient(p: Platform, req: Request): Promise<{ key: ApiKey } | { error: GatewayError }> {
  const secret = extractClientKey(req);
  if (!secret) return { error: gatewayError(401, 'authentication', 'missing_api_key', 'No API key provided. Send it as "Authorization: Bearer <key>", "x-api-key: <key>" or "x-goog-api-key: <key>".') };
  const key = await p.store.findApiKeyByHash(await sha256Hex(secret));
  if (!key || !key.enabled) return { error: gatewayError(401, 'authentication', 'invalid_api_key', 'Invalid API key.') };
  if (key.expiresAt !== null && key.expiresAt <= p.now()) {
    return { error: gatewayError(401, 'authentication', 'expired_api_key', 'This API key has expired.') };
  }
  return { key };
}

/** How often a key's `last_used_at` is written at most: a write per request would cost more than the request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Records that a key was used, at most once per LAST_USED_RESOLUTION_MS. */
export function touchKey(p: Platform, key: ApiKey): void {
  const now = p.now();
  if (key.lastUsedAt === null || now - key.lastUsedAt >= LAST_USED_RESOLUTION_MS) p.defer(p.store.touchApiKey(key.id, now));
}

/** Whether the key may use the group. */
export function keyAllowsGroup(key: ApiKey, groupName: string): boolean {
  return key.allowedGroups === null || key.allowedGroups.includes(groupName);
}
