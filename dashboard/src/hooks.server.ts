/**
 * Only used by the Cloudflare Pages build (DASHBOARD_ADAPTER=cloudflare): requests to the admin
 * API go to the gateway Worker through the GATEWAY service binding, so the browser talks to one
 * origin. The static build has no server; there the gateway serves /api/* itself.
 */
import type { Handle } from '@sveltejs/kit';

interface ServiceBinding {
  fetch(request: Request): Promise<Response>;
}

export const handle: Handle = async ({ event, resolve }) => {
  if (event.url.pathname === '/api' || event.url.pathname.startsWith('/api/')) {
    const gateway = (event.platform as { env?: { GATEWAY?: ServiceBinding } } | undefined)?.env?.GATEWAY;
    if (!gateway) {
      return Response.json({ error: { code: 'no_gateway', message: 'The GATEWAY service binding is not configured.' } }, { status: 502 });
    }
    return gateway.fetch(event.request);
  }
  return resolve(event);
};
