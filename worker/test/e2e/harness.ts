/**
 * End-to-end harness: starts the real `npm start` path (scripts/dev.mjs → wrangler dev) on a free
 * port with its own state folder and secrets, and offers admin helpers over plain HTTP.
 */
import { freePort, launchDevGateway } from '../dev-gateway';

export { freePort };

export interface RunningGateway {
  url: string;
  password: string;
  /** Cookie header after login. */
  cookie: string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** What the gateway printed (stdout + stderr). */
  output(): string;
  /** The process group of the gateway (scripts/dev.mjs and its workerd processes). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts the gateway and logs in. Rejects if it is not ready within `timeoutMs`. */
export async function startGateway(timeoutMs = 90_000): Promise<RunningGateway> {
  const password = 'e2e-admin-password';
  const gw = await launchDevGateway({ ADMIN_PASSWORD: password, ENCRYPTION_KEY: 'e2e-encryption-key-0123456789' }, { timeoutMs, tmpPrefix: 'oe-e2e-' });
  const { url, stop } = gw;

  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  if (res.status !== 200) {
    await stop();
    throw new Error(`login failed: ${res.status}`);
  }
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}/api/v1${path}`, {
      method, headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
  return { url, password, cookie, admin, output: gw.output, pid: gw.pid, stop };
}
