/**
 * Which client address the Worker's login throttle believes (edge/client-address.ts): on the edge
 * only Cloudflare's CF-Connecting-IP, never X-Forwarded-For; under `npm start` (DEV_PROXY_SECRET
 * set) CF-Connecting-IP only from the dev proxy, proven by its per-run secret, and every other
 * request in one `unverified` bucket, so rotating or spoofing the header neither dodges the
 * throttle nor locks anyone else out. Its own file: the throttle rows it fills must not reach the
 * admin suite's D1.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/edge/index';
import { DEV_PROXY_HEADER } from '../../src/edge/client-address';
import { ADMIN_PASSWORD } from '../suites/harness';

const SECRET = 'per-run-dev-proxy-secret-0123456789abcdefghij';

async function login(headers: Record<string, string>, password: string, vars: Partial<Env> = {}): Promise<number> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request('http://gateway.test/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ password }),
  }), { ...env, ...vars } as Env, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return res.status;
}

describe('client address on the edge (login throttle)', () => {
  it('keys on CF-Connecting-IP only: a rotated X-Forwarded-For does not dodge the throttle', async () => {
    for (let i = 0; i < 5; i++) expect(await login({ 'cf-connecting-ip': '198.51.100.1', 'x-forwarded-for': `10.20.0.${i}` }, 'wrong')).toBe(401);
    expect(await login({ 'cf-connecting-ip': '198.51.100.1', 'x-forwarded-for': '10.20.1.1' }, ADMIN_PASSWORD)).toBe(429);
    expect(await login({ 'cf-connecting-ip': '198.51.100.2', 'x-forwarded-for': '198.51.100.1' }, ADMIN_PASSWORD)).toBe(200);
  });

  it('under npm start believes CF-Connecting-IP only with the dev proxy secret', async () => {
    const dev = { DEV_PROXY_SECRET: SECRET };
    const viaProxy = (ip: string) => ({ 'cf-connecting-ip': ip, [DEV_PROXY_HEADER]: SECRET });
    // Rotating the header without the secret (a request that reached wrangler directly): one bucket.
    for (let i = 0; i < 5; i++) expect(await login({ 'cf-connecting-ip': `10.30.0.${i}` }, 'wrong', dev)).toBe(401);
    expect(await login({ 'cf-connecting-ip': '10.30.1.1' }, ADMIN_PASSWORD, dev)).toBe(429);
    // A wrong secret is no better, whatever address it claims.
    expect(await login({ 'cf-connecting-ip': '10.30.1.2', [DEV_PROXY_HEADER]: `${SECRET.slice(0, -1)}x` }, ADMIN_PASSWORD, dev)).toBe(429);
    expect(await login({ 'cf-connecting-ip': '10.30.1.3', [DEV_PROXY_HEADER]: '' }, ADMIN_PASSWORD, dev)).toBe(429);
    // Spoofing a victim's address without the secret charged the unverified bucket, not the victim.
    expect(await login(viaProxy('10.30.0.1'), ADMIN_PASSWORD, dev)).toBe(200);
    // Through the proxy each address has its own count.
    for (let i = 0; i < 5; i++) expect(await login(viaProxy('10.30.2.1'), 'wrong', dev)).toBe(401);
    expect(await login(viaProxy('10.30.2.1'), ADMIN_PASSWORD, dev)).toBe(429);
    expect(await login(viaProxy('10.30.2.2'), ADMIN_PASSWORD, dev)).toBe(200);
  });
});
