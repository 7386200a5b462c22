/** What the admin API returns for stored records: secrets masked, money in USD. */
import type { ApiKey, Channel } from '../db/types';

/** A channel with its keys reduced to id, hint (last 4 characters) and enabled. */
export function channelView(ch: Channel) {
  return { ...ch, keys: ch.keys.map((k) => ({ id: k.id, hint: k.hint, enabled: k.enabled })) };
}

/** A client key without its hash; budget in USD. */
export function apiKeyView(k: ApiKey) {
  const { keyHash: _hash, budgetNanoUsd, ...rest } = k;
  return { ...rest, budgetUsd: budgetNanoUsd === null ? null : budgetNanoUsd / 1e9 };
}
