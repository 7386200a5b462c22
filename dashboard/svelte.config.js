// Two builds of one app:
// - default: adapter-static SPA in build/ (fallback index.html), served by the gateway itself
//   (the Worker's [assets] and the Node mode) from the same origin as the admin API; every
//   compressible file also as .br and .gz, which the Node mode serves to clients that accept them
//   (Cloudflare compresses on its own: build/.assetsignore keeps the copies out of a deploy);
// - DASHBOARD_ADAPTER=cloudflare: a Cloudflare Pages build whose function forwards /api/* to the
//   gateway Worker through the GATEWAY service binding (src/hooks.server.ts, wrangler.toml here).
import adapterCloudflare from '@sveltejs/adapter-cloudflare';
import adapterStatic from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

const cloudflare = process.env.DASHBOARD_ADAPTER === 'cloudflare';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: cloudflare
      ? adapterCloudflare({ config: 'wrangler.toml', fallback: 'spa', routes: { include: ['/*'], exclude: ['<all>'] } })
      : adapterStatic({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true, precompress: true }),
    alias: {
      // The gateway's own zod schemas and pure helpers, shared with the admin API.
      $gateway: '../worker/src',
    },
  },
};

export default config;
