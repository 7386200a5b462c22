/**
 * Durable Object storage calls that take many keys at once (`get`, `put`, `delete` of an array)
 * accept at most 128 keys a call (Cloudflare "Durable Object Storage API": "Supports up to 128
 * keys at a time"); the local runtime does not enforce it, production throws. No Cloudflare import
 * here, so the splitting is unit-tested in Node.
 */

/** Most keys one multi-key storage call may carry. */
export const STORAGE_KEYS_PER_CALL = 128;

/** The part of a storage (or storage transaction) that deletes several keys. */
export interface KeyDeleter {
  delete(keys: string[]): Promise<number>;
}

/**
 * Deletes `keys` in calls of at most STORAGE_KEYS_PER_CALL keys. Inside `storage.transaction` the
 * calls commit or roll back together.
 * @returns how many of the keys existed.
 */
export async function deleteKeys(storage: KeyDeleter, keys: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < keys.length; i += STORAGE_KEYS_PER_CALL) deleted += await storage.delete(keys.slice(i, i + STORAGE_KEYS_PER_CALL));
  return deleted;
}
