/**
 * Client API key authentication for the relay endpoints, from the request's headers alone (the
 * body is not read before the key is known, so an unknown key costs nothing but a hash).
 * Keys arrive as `Authorization: Bearer` (OpenAI SDK, Anthropic SDK), `x-api-key` (Anthropic),
 * `x-goog-api-key` or `?key=` (Gemini). Only the SHA-256 of a key is ever looked up, in the
 * configuration snapshot (config/snapshot.ts): no database read.
 */
import type { ConfigSnapshot } from '../config/snapshot';
import { shouldTouchKey } from '../config/snapshot';
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
  if (!req.url.includes('key=')) return null;
  const q = new URL(req.url).searchParams.get('key');
  return q ? q.trim() : null;
}

/** Longest client key looked up, characters: ours are 49; anything far longer is not one of them. */
const MAX_KEY_LENGTH = 512;

/** Why a request was refused before its key was accepted (the reason of the aggregated stats row). */
export type AuthRefusal = 'missing_api_key' | 'invalid_api_key' | 'expired_api_key';

/** Accepted keys remembered with their hash; past this many the memo starts over. */
const KEY_HASH_MEMO_SIZE = 1_000;
/**
 * secret → SHA-256 hex, for keys that were found in a snapshot only, so an attacker's random keys
 * never fill it. Saves a Web Crypto digest per request (a thread-pool job and two buffer copies on
 * Node). The secrets stay in this process's memory, where every request's headers already are.
 */
const keyHashMemo = new Map<string, string>();

/** The SHA-256 hex of a presented key; remembered once the key turns out to be one of ours. */
async function hashOfKey(secret: string, config: ConfigSnapshot): Promise<string> {
  const known = keyHashMemo.get(secret);
  if (known !== undefined) return known;
  const hash = await sha256Hex(secret);
  if (config.keysByHash.has(hash)) {
    if (keyHashMemo.size >= KEY_HASH_MEMO_SIZE) keyHashMemo.clear();
    keyHashMemo.set(secret, hash);
  }
  return hash;
}

/**
 * The snapshot's key for a presented secret, disabled and expired ones included (the caller
 * decides what those get): 'missing' without a secret, 'unknown' when no key has its hash. An
 * unknown secret costs one hash and never a database read; only found ones are memoised.
 */
export async function findClientKey(secret: string | null, config: ConfigSnapshot): Promise<ApiKey | 'missing' | 'unknown'> {
  if (!secret) return 'missing';
  if (secret.length > MAX_KEY_LENGTH) return 'unknown';
  return config.keysByHash.get(await hashOfKey(secret, config)) ?? 'unknown';
}

/**
 * Resolves the request's client key against the snapshot.
 * Errors are 401 (missing, unknown, disabled or expired key).
 */
export async function authenticateClient(p: Platform, req: Request, config: ConfigSnapshot): Promise<{ key: ApiKey } | { error: GatewayError; reason: AuthRefusal }> {
  const found = await findClientKey(extractClientKey(req), config);
  if (found === 'missing') {
    return { reason: 'missing_api_key', error: gatewayError(401, 'authentication', 'missing_api_key', 'No API key provided. Send it as "Authorization: Bearer <key>", "x-api-key: <key>" or "x-goog-api-key: <key>".') };
  }
  const key = found === 'unknown' ? undefined : found;
  if (!key || !key.enabled) return { reason: 'invalid_api_key', error: gatewayError(401, 'authentication', 'invalid_api_key', 'Invalid API key.') };
  if (key.expiresAt !== null && key.expiresAt <= p.now()) {
    return { reason: 'expired_api_key', error: gatewayError(401, 'authentication', 'expired_api_key', 'This API key has expired.') };
  }
  return { key };
}

/** How often a key's `last_used_at` is written at most: a write per request would cost more than the request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Records that a key was used, at most once per LAST_USED_RESOLUTION_MS per instance. */
export function touchKey(p: Platform, key: ApiKey): void {
  const now = p.now();
  if (shouldTouchKey(p.store, key, now, LAST_USED_RESOLUTION_MS)) p.defer(p.store.touchApiKey(key.id, now));
}

/** Whether the key may use the group. */
export function keyAllowsGroup(key: ApiKey, groupName: string): boolean {
  return key.allowedGroups === null || key.allowedGroups.includes(groupName);
}
