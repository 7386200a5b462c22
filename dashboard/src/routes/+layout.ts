// A single-page app: everything renders in the browser and talks to the admin API.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
