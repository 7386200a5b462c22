// Placeholder dashboard build until the SvelteKit app lands: one static page that points at the admin API.
import { mkdirSync, writeFileSync } from 'node:fs';

mkdirSync(new URL('./build/', import.meta.url), { recursive: true });
writeFileSync(new URL('./build/index.html', import.meta.url), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>octopus-edge</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>octopus-edge</h1>
<p>The gateway is running. The dashboard is not built yet; use the admin API under <code>/api/v1</code> (see README.md).</p>
</body></html>
`);
