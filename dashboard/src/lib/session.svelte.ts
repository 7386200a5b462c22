/**
 * Whether the browser holds a live admin session (checked once per page load, then on login and
 * logout). `loggedOut`: the user logged out on purpose, so the login page opens without `?next=`.
 */
export const session = $state<{ checked: boolean; authenticated: boolean; loggedOut: boolean }>({ checked: false, authenticated: false, loggedOut: false });
