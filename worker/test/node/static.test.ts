/** The dashboard from the same origin: files of the build, index.html for client-side routes, gateway paths to the app. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/node/logger';
import { startNodeGateway, type NodeGateway } from '../../src/node/server';
import { isGatewayPath } from '../../src/node/static';

describe('node dashboard serving', () => {
  let dir: string;
  let gw: NodeGateway;
  beforeAll(async () => {
    // An app root of our own: the real migrations, a tiny dashboard build.
    dir = mkdtempSync(join(tmpdir(), 'oe-node-static-'));
    symlinkSync(resolve(import.meta.dirname, '../../../migrations'), join(dir, 'migrations'));
    const build = join(dir, 'dashboard', 'build');
    mkdirSync(join(build, '_app', 'immutable'), { recursive: true });
    writeFileSync(join(build, 'index.html'), '<!doctype html><title>octopus-edge</title>');
    writeFileSync(join(build, '_app', 'immutable', 'app.abc123.js'), 'console.log(1)');
    // What adapter-static's `precompress` writes beside each compressible file.
    const big = `console.log(${JSON.stringify('x'.repeat(4000))})`;
    writeFileSync(join(build, '_app', 'immutable', 'big.def456.js'), big);
    writeFileSync(join(build, '_app', 'immutable', 'big.def456.js.br'), brotliCompressSync(big));
    writeFileSync(join(build, '_app', 'immutable', 'big.def456.js.gz'), gzipSync(big));
    writeFileSync(join(build, 'index.html.gz'), gzipSync('<!doctype html><title>octopus-edge</title>'));
    gw = await startNodeGateway({
      config: { server: { host: '127.0.0.1', port: 0, trustProxy: false }, database: { type: 'sqlite', path: join(dir, 'data', 'data.db') }, log: { level: 'error' } },
      secrets: { adminPassword: 'the-admin-password', encryptionKey: 'test-encryption-key-0123456789' },
      logger: createLogger('error'), cron: false, appRoot: dir,
    });
  });
  afterAll(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves files, falls back to index.html for client routes, and leaves gateway paths to the app', async () => {
    const index = await fetch(`${gw.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toContain('<title>octopus-edge</title>');
    const asset = await fetch(`${gw.url}/_app/immutable/app.abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    const route = await fetch(`${gw.url}/channels/12`);
    expect(route.status).toBe(200);
    expect(route.headers.get('cache-control')).toBe('no-cache');
    expect(await route.text()).toContain('<title>octopus-edge</title>');

    expect(await (await fetch(`${gw.url}/healthz`)).json()).toEqual({ ok: true });
    const api = await fetch(`${gw.url}/api/nothing`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as any).error.code).toBe('not_found');
    expect((await fetch(`${gw.url}/v1/models`)).status).toBe(401);
    // Not a GET: the app answers (a 404 in OpenAI shape), never the SPA shell.
    expect((await fetch(`${gw.url}/channels`, { method: 'POST' })).status).toBe(404);
  });

  /** A raw GET (no decoding, unlike fetch): status, headers and the bytes as sent. */
  function rawGet(path: string, acceptEncoding?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((ok, fail) => {
      get(`${gw.url}${path}`, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', fail);
    });
  }

  it('serves the build\'s brotli or gzip copy to a client that accepts it, the plain file otherwise', async () => {
    const plain = readFileSync(join(dir, 'dashboard', 'build', '_app', 'immutable', 'big.def456.js'));
    const br = await rawGet('/_app/immutable/big.def456.js', 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toContain('immutable');
    expect(br.body.length).toBeLessThan(plain.length / 10);
    expect(brotliDecompressSync(br.body).equals(plain)).toBe(true);
    const gz = await rawGet('/_app/immutable/big.def456.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);
    const none = await rawGet('/_app/immutable/big.def456.js');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.equals(plain)).toBe(true);
    // The SPA shell for a client route comes compressed too.
    const shell = await rawGet('/groups/3', 'gzip');
    expect(shell.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(shell.body).toString()).toContain('<title>octopus-edge</title>');
  });

  it('the real dashboard build carries a brotli and a gzip copy of every script and stylesheet, kept out of a Worker deploy', () => {
    const build = resolve(import.meta.dirname, '../../../dashboard/build');
    if (!existsSync(join(build, 'index.html'))) return; // built by test:all and the edge tests' setup
    const files = (readdirSync(join(build, '_app', 'immutable'), { recursive: true }) as string[]).filter((f) => /\.(js|css)$/.test(f));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      expect(existsSync(join(build, '_app', 'immutable', `${f}.br`)), `${f}.br`).toBe(true);
      expect(existsSync(join(build, '_app', 'immutable', `${f}.gz`)), `${f}.gz`).toBe(true);
    }
    expect(readFileSync(join(build, '.assetsignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['*.br', '*.gz']));
  });

  it('knows the gateway paths', () => {
    for (const p of ['/api/v1/channels', '/v1/chat/completions', '/v1', '/v1beta/models/x:generateContent', '/healthz']) expect(isGatewayPath(p)).toBe(true);
    for (const p of ['/', '/channels', '/v1x', '/apis', '/_app/x.js']) expect(isGatewayPath(p)).toBe(false);
  });
});
