/**
 * Whether the browser holds a live admin session (checked once per page load, then on login and
 * logout). `loggedOut`: the user logged out on purpose, so the login page opens without `?next=`.
 * `outboundProxy`: whether the gateway can use an outbound proxy (Node mode); null until known.
 */
export const session = $state<{ checked: boolean; authenticated: boolean; loggedOut: boolean; outboundProxy: boolean | null }>({ checked: false, authenticated: false, loggedOut: false, outboundProxy: null });
