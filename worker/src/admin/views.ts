/** What the admin API returns for stored records: secrets masked, money in USD. */
import type { ApiKey, Channel, Group } from '../db/types';
import { maskHeaders } from '../lib/channel-headers';
import { maskOverrides } from '../lib/override-secrets';
import { shownProxy } from '../lib/proxy';

/**
 * A channel with its keys reduced to id, hint (last 4 characters) and enabled, and credential
 * header values to their hint (lib/channel-headers.ts; sending the hint back keeps the value), and
 * its proxy URL with the password reduced to a hint (lib/proxy.ts; likewise kept when sent back).
 */
export function channelView(ch: Channel) {
  return {
    ...ch, keys: ch.keys.map((k) => ({ id: k.id, hint: k.hint, enabled: k.enabled })), headers: maskHeaders(ch.headers),
    overrides: maskOverrides(ch.overrides), proxy: shownProxy(ch.proxy),
  };
}

/** A group with its members' credential override header values reduced to their hint. */
export function groupView(g: Group) {
  return { ...g, members: g.members.map((m) => ({ ...m, overrides: maskOverrides(m.overrides) })) };
}

/** A client key without its hash; budget in USD. */
export function apiKeyView(k: ApiKey) {
  const { keyHash: _hash, budgetNanoUsd, ...rest } = k;
  return { ...rest, budgetUsd: budgetNanoUsd === null ? null : budgetNanoUsd / 1e9 };
}
