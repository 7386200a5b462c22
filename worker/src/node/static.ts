/**
 * The dashboard (dashboard/build, a SvelteKit SPA built with adapter-static) served from the same
 * origin as the API, as the Worker's `[assets]` does: gateway paths (`/api/*`, `/v1/*`,
 * `/v1beta/*`, `/healthz`) go to the app; every other GET/HEAD is a file of the build, or
 * index.html for the SPA's client-side routes.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Paths the gateway app answers (wrangler.toml `run_worker_first`). */
export function isGatewayPath(pathname: string): boolean {
  return pathname === '/healthz' || /^\/(api|v1|v1beta)(\/|$)/.test(pathname);
}

/**
 * A Hono app serving the build in `root`, or null when there is no build (index.html missing).
 * Hashed assets under `/_app/immutable/` are cached for a year; everything else is revalidated.
 * Compressible files go out as the build's brotli or gzip copy (`x.js.br`, `x.js.gz`, written by
 * adapter-static's `precompress`) when the client accepts it, with `Vary: Accept-Encoding`.
 */
export function dashboardApp(root: string): Hono | null {
  if (!existsSync(join(root, 'index.html'))) return null;
  const app = new Hono();
  const cacheFor = (path: string) => (path.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  app.use('*', serveStatic({ root, precompressed: true, onFound: (path, c) => c.header('cache-control', cacheFor(path)) }));
  // SPA fallback: a client-side route loads the app shell.
  app.use('*', serveStatic({ root, path: 'index.html', precompressed: true, onFound: (_path, c) => c.header('cache-control', 'no-cache') }));
  return app;
}
