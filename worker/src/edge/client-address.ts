/**
 * The client's address on the Workers runtime, for the admin login throttle.
 *
 * On Cloudflare's edge `CF-Connecting-IP` is set by Cloudflare itself (a client-sent one is
 * replaced), so it is the only header believed: never `X-Forwarded-For`, which a client writes.
 *
 * Locally, `wrangler dev` keeps a client-sent `CF-Connecting-IP` (miniflare only fills it in when
 * absent), so rotating it would dodge the throttle and spoofing it would lock a victim out. `npm
 * start` therefore puts a small proxy (scripts/dev-proxy.mjs) on the public port: it overwrites the
 * header with the socket's peer address and adds `x-octopus-dev-proxy: <secret>`, the secret being
 * random per run and handed to the Worker as the DEV_PROXY_SECRET var. With DEV_PROXY_SECRET set,
 * the header is believed only on requests that carry that secret; any other request (one that
 * reached wrangler's loopback port directly) shares the single bucket `unverified`, so no header
 * it sends can move it to another address's count.
 */
import { timingSafeEqual } from '../lib/crypto';

/** Header by which the dev proxy proves a request passed through it. */
export const DEV_PROXY_HEADER = 'x-octopus-dev-proxy';

/** Throttle key of requests that claim an address the runtime cannot vouch for. */
export const UNVERIFIED_ADDRESS = 'unverified';

/**
 * @param req the incoming request. @param devProxySecret DEV_PROXY_SECRET (unset in production).
 * @returns the address to key the throttle on: Cloudflare's `CF-Connecting-IP`, `unverified`, or
 *   `unknown` when the runtime gave none (a test calling the Worker directly).
 */
export function edgeClientAddress(req: Request, devProxySecret: string | undefined): string {
  const claimed = req.headers.get('cf-connecting-ip')?.trim() || undefined;
  if (devProxySecret) {
    const proof = req.headers.get(DEV_PROXY_HEADER);
    if (proof === null || !timingSafeEqual(proof, devProxySecret)) return UNVERIFIED_ADDRESS;
  }
  return claimed ?? 'unknown';
}
