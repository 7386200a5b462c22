/** The dashboard from the same origin: files of the build, index.html for client-side routes, gateway paths to the app. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('knows the gateway paths', () => {
    for (const p of ['/api/v1/channels', '/v1/chat/completions', '/v1', '/v1beta/models/x:generateContent', '/healthz']) expect(isGatewayPath(p)).toBe(true);
    for (const p of ['/', '/channels', '/v1x', '/apis', '/_app/x.js']) expect(isGatewayPath(p)).toBe(false);
  });
});
