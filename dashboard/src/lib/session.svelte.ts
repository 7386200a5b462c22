/**
 * Whether the browser holds a live admin session (checked once per page load, then on login and
 * logout). `loggedOut`: the user logged out on purpose, so the login page opens without `?next=`.
 * `outboundProxy`: whether the gateway can use an outbound proxy (Node mode); null until known.
 */
export const session = $state<{ checked: boolean; authenticated: boolean; loggedOut: boolean; outboundProxy: boolean | null }>({ checked: false, authenticated: false, loggedOut: false, outboundProxy: null });

/** Why a proxy field is disabled on the Worker (the API's own refusal, in the same words). */
export const EDGE_PROXY_NOTE = 'Outbound proxies work only in Node mode; this gateway runs on Cloudflare Workers, which cannot use one.';
