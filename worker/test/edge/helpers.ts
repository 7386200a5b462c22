/**
 * Helpers for integration tests inside workerd: call the Worker, log in as admin, create channels,
 * groups and keys, and script the fake upstream provider over HTTP.
 */
import { env, exports } from 'cloudflare:workers';

export const ADMIN_PASSWORD = 'test-admin-password';

/** Sends a request to the Worker under test. */
export function gateway(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://gateway.test${path}`, init));
}

/** Logs in and returns the Cookie header value to send on admin calls. */
export async function login(): Promise<string> {
  const res = await gateway('/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': '10.9.9.9' },
    body: JSON.stringify({ password: ADMIN_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0]!;
}

/** Calls the admin API with a JSON body; returns status and parsed JSON (or null). */
export async function admin(cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await gateway(`/api/v1${path}`, {
    method,
    headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** A unique suffix so tests in one file (which share D1) never collide on names. */
export function uid(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** Registers a scenario with the fake upstream; returns its base URL. */
export async function scenario(s: unknown): Promise<{ id: string; baseUrl: string }> {
  const res = await fetch(`${env.UPSTREAM_URL}/__scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) });
  if (res.status !== 201) throw new Error(`scenario failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** What the fake upstream received for a scenario. */
export async function received(id: string): Promise<any[]> {
  const res = await fetch(`${env.UPSTREAM_URL}/__scenarios/${id}/requests`);
  return res.json();
}

/**
 * Creates, for each scenario, an openai-chat channel pointing at it, then one group over all of
 * them (round-robin) and a client key. Returns the group name (the `model` to send) and the key.
 */
export async function routeTo(cookie: string, scenarios: { baseUrl: string }[], opts: { channelType?: string; upstreamModel?: string; settings?: object; mode?: string } = {}) {
  const channelIds: number[] = [];
  for (const s of scenarios) {
    const ch = await admin(cookie, 'POST', '/channels', {
      name: `ch-${uid()}`, type: opts.channelType ?? 'openai-chat', baseUrl: `${s.baseUrl}/v1`, keys: [`sk-upstream-${uid()}`],
    });
    if (ch.status !== 201) throw new Error(`channel: ${JSON.stringify(ch.json)}`);
    channelIds.push(ch.json.id);
  }
  const group = `model-${uid()}`;
  const g = await admin(cookie, 'POST', '/groups', {
    name: group, ...(opts.settings && { settings: opts.settings }), ...(opts.mode && { mode: opts.mode }),
    members: channelIds.map((channelId) => ({ channelId, upstreamModel: opts.upstreamModel ?? 'gpt-4.1-nano' })),
  });
  if (g.status !== 201) throw new Error(`group: ${JSON.stringify(g.json)}`);
  const k = await admin(cookie, 'POST', '/keys', { name: `key-${uid()}` });
  if (k.status !== 201) throw new Error(`key: ${JSON.stringify(k.json)}`);
  return { group, groupId: g.json.id as number, channelIds, clientKey: k.json.key as string, keyId: k.json.id as number };
}
