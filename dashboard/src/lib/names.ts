/** Lookups from ids to names for tables (channels, keys), loaded once per page. */
import { get } from './api';
import type { ApiKeyView, ChannelView } from './types';

export async function channelNames(): Promise<Map<number, string>> {
  const { data } = await get<{ data: ChannelView[] }>('/channels');
  return new Map(data.map((c) => [c.id, c.name]));
}

export async function keyNames(): Promise<Map<number, string>> {
  const { data } = await get<{ data: ApiKeyView[] }>('/keys');
  return new Map(data.map((k) => [k.id, k.name]));
}
