import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';
import { paraglideOptions } from './paraglide.config.js';

export default defineConfig({
  plugins: [
    // The messages, compiled (paraglide.config.js).
    paraglideVitePlugin(paraglideOptions),
    tailwindcss(),
    sveltekit(),
  ],
  server: {
    // `npm run dev` here: the admin API comes from a gateway started with `npm start` at the root.
    proxy: { '/api': 'http://localhost:8787' },
    fs: { allow: ['..'] },
  },
  build: { chunkSizeWarningLimit: 400 },
});
