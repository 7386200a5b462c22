/**
 * The login throttle in Node keys on the socket's peer address: a client cannot escape it by
 * sending X-Forwarded-For or cf-connecting-ip, unless server.trustProxy says a proxy sets them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/node/logger';
import { startNodeGateway, type NodeGateway } from '../../src/node/server';

const dir = mkdtempSync(join(tmpdir(), 'oe-node-addr-'));
const started: NodeGateway[] = [];
afterAll(async () => {
  for (const g of started) await g.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, trustProxy: boolean): Promise<NodeGateway> {
  const gw = await startNodeGateway({
    config: { server: { host: '127.0.0.1', port: 0, trustProxy }, database: { type: 'sqlite', path: join(dir, `${name}.db`) }, log: { level: 'error' } },
    secrets: { adminPassword: 'the-admin-password', encryptionKey: 'test-encryption-key-0123456789' },
    logger: createLogger('error'), cron: false,
  });
  started.push(gw);
  return gw;
}

function login(gw: NodeGateway, headers: Record<string, string>, password = 'wrong') {
  return fetch(`${gw.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ password }) });
}

describe('node client address', () => {
  it('ignores forwarding headers by default', async () => {
    const gw = await start('direct', false);
    for (let i = 0; i < 5; i++) expect((await login(gw, { 'x-forwarded-for': `10.1.0.${i}`, 'cf-connecting-ip': `10.2.0.${i}` })).status).toBe(401);
    expect((await login(gw, { 'x-forwarded-for': '10.1.1.1', 'cf-connecting-ip': '10.2.1.1' }, 'the-admin-password')).status).toBe(429);
  });

  it('with trustProxy, takes the last X-Forwarded-For hop (the one the proxy appended)', async () => {
    const gw = await start('proxied', true);
    for (let i = 0; i < 5; i++) expect((await login(gw, { 'x-forwarded-for': `10.3.0.${i}, 192.0.2.7` })).status).toBe(401);
    expect((await login(gw, { 'x-forwarded-for': '192.0.2.7' }, 'the-admin-password')).status).toBe(429);
    expect((await login(gw, { 'x-forwarded-for': '10.3.0.1, 192.0.2.8' }, 'the-admin-password')).status).toBe(200);
  });
});
