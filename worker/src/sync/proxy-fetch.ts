/**
 * The fetch a sync or a channel test uses, through the channel's outbound proxy, else the global
 * one, else direct (lib/proxy.ts). Runtime-neutral: the proxied fetch comes from the Platform
 * (Node); where there is none (the Worker), a stored proxy is an error, never silently skipped.
 */
import type { Channel } from '../db/types';
import { EDGE_PROXY_REFUSAL, openProxy, type StoredProxy } from '../lib/proxy';
import type { Platform } from '../platform';
import { loadSettings } from '../settings';

/** Picks the fetch for a channel (or, for null, for a gateway-wide call such as the price sync). */
export type FetchFor = (channel: Channel | null) => Promise<typeof fetch>;

/**
 * Builds a {@link FetchFor} over `direct` (the fetch used without a proxy).
 * @param global the global proxy as stored (settings), or null.
 * The returned function throws Error(EDGE_PROXY_REFUSAL) for a proxy where the runtime has none,
 * and an Error when the proxy credentials cannot be decrypted.
 */
export function proxyFetcher(p: Pick<Platform, 'vault' | 'outboundProxy'>, global: StoredProxy | null, direct: typeof fetch): FetchFor {
  return async (channel) => {
    const stored = channel?.proxy ?? global;
    if (!stored) return direct;
    if (!p.outboundProxy) throw new Error(EDGE_PROXY_REFUSAL);
    let url: string;
    try {
      url = await openProxy(p.vault, stored);
    } catch {
      throw new Error('the proxy credentials cannot be decrypted (was ENCRYPTION_KEY changed?)');
    }
    return p.outboundProxy.fetchVia(url);
  };
}

/** {@link proxyFetcher} with the global proxy read from the settings. */
export async function platformFetcher(p: Pick<Platform, 'vault' | 'outboundProxy' | 'store'>, direct: typeof fetch = fetch): Promise<FetchFor> {
  return proxyFetcher(p, (await loadSettings(p.store)).proxy, direct);
}
