/**
 * Cross-site request forgery guard for the admin API.
 *
 * The session cookie is SameSite=Strict, which keeps it off requests from other *sites*, but a page
 * on another origin of the same site (a sibling subdomain, another port of the same host) still
 * gets it sent, and a body-less POST (`/sync/prices`, `/channels/:id/sync-models`, `/auth/logout`)
 * needs no preflight. So every state-changing admin request must come from the admin's own origin:
 *
 * - `Sec-Fetch-Site` (Fetch Metadata; sent by every current browser, and a page cannot forge it):
 *   only `same-origin` passes.
 * - Without it (older browsers), `Origin` must name the host the request was sent to (the `Host`
 *   the browser used, scheme aside: a TLS proxy in front of Node makes the request URL `http:`).
 * - With neither header the request did not come from a browser page (curl, an SDK, a script): it
 *   passes, as it cannot carry a victim's cookie by accident.
 *
 * Safe methods (GET, HEAD, OPTIONS) are never checked: no admin GET changes state.
 * Wire facts: Fetch Metadata, https://w3c.github.io/webappsec-fetch-metadata/ (Sec-Fetch-Site
 * values: same-origin, same-site, cross-site, none); Origin, RFC 6454 section 7.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { adminError } from './http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a request is refused as cross-origin, or null when it may proceed.
 * @param method HTTP method; @param url the request URL; @param headers the request headers.
 */
export function crossOriginReason(method: string, url: string, headers: Headers): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const site = headers.get('sec-fetch-site');
  if (site !== null) return site.trim().toLowerCase() === 'same-origin' ? null : `Sec-Fetch-Site is ${site.slice(0, 40)}`;
  const origin = headers.get('origin');
  if (origin === null) return null;
  let originHost: string;
  try {
    // `Origin: null` (sandboxed frames, some redirects) does not parse: refused.
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `Origin ${origin.slice(0, 80)} is not an origin`;
  }
  const host = (headers.get('host') ?? new URL(url).host).toLowerCase();
  return originHost === host || originHost === new URL(url).host.toLowerCase() ? null : `Origin ${origin.slice(0, 80)} is not this gateway`;
}

/** Refuses a state-changing admin request from another origin with 403 `cross_origin`. */
export const sameOriginOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const reason = crossOriginReason(c.req.method, c.req.url, c.req.raw.headers);
  if (reason) {
    return adminError(c, 403, 'cross_origin', `Admin changes are accepted only from the gateway's own dashboard (${reason}).`);
  }
  await next();
};
