/** Whether the browser holds a live admin session (checked once per page load, then on login/logout). */
export const session = $state<{ checked: boolean; authenticated: boolean }>({ checked: false, authenticated: false });
