/**
 * Integration suites shared by the Worker (workerd, D1, Durable Objects) and the Node mode (SQLite,
 * MySQL, PostgreSQL): each runtime gives a Harness, and the suites in this folder make the same
 * calls and the same assertions against either. No Cloudflare and no Node-only import here.
 *
 * The tools below (login, admin, scenario, routeTo…) are what the edge helpers used to be, built
 * on a harness.
 */

export const ADMIN_PASSWORD = 'test-admin-password';

/** A SQL row; numbers come back as numbers and booleans as 1/0 on every database. */
export type Row = Record<string, any>;

export interface Harness {
  /** 'edge', 'node-sqlite', 'node-mysql', 'node-postgres'. */
  readonly name: string;
  /** Sends a request to the gateway under test (path with query, e.g. `/v1/models`). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The gateway's own origin as a browser on its dashboard sends it (`Origin`), e.g. `http://127.0.0.1:8080`. */
  origin(): string;
  /** Headers that make a request come from client address `ip` (the login throttle's key). */
  from(ip: string): Record<string, string>;
  /** Base URL of the fake upstream provider. */
  upstreamUrl(): string;
  /**
   * Waits until group `groupId` holds at least `atLeast` buffered records (they arrive after the
   * response), then flushes its buffer to the database now.
   * @returns whether a flush ran (the edge: an alarm was scheduled and ran).
   */
  flush(groupId: number, atLeast?: number): Promise<boolean>;
  /**
   * A read query with `?` placeholders and identifiers that are reserved words in double quotes
   * ("key", "keys": MySQL gets backticks); column names as aliased (keep them lower case).
   */
  query(sql: string, ...params: unknown[]): Promise<Row[]>;
  /** A write statement with `?` placeholders. */
  exec(sql: string, ...params: unknown[]): Promise<void>;
  /** Restarts the runtime's state holders: memory is lost, storage kept (edge: every Durable Object; Node: the process). */
  restart(): Promise<void>;
  /**
   * A group's routing state (routing/types.ts RoutingState) as stored durably: the Durable Object's
   * storage, or Node's settings row (persisted first, as a timer tick or shutdown would).
   */
  routingState(groupId: number): Promise<any>;
  /** Runs the scheduled jobs of a cron expression, as the Worker's cron trigger or Node's croner would. */
  cron(expression: string): Promise<void>;
  /** How many unflushed-record reads (`GroupStates.pending`, the live tail's) group `groupId`'s holder has served since it started. */
  pendingReads(groupId: number): Promise<number>;
}

/** The first row of a query, or undefined. */
export async function one(h: Harness, sql: string, ...params: unknown[]): Promise<Row | undefined> {
  return (await h.query(sql, ...params))[0];
}

/** A unique suffix so tests that share a database never collide on names. */
export function uid(): string {
  return Math.random().toString(36).slice(2, 10);
}

/**
 * Polls `what` every 100 ms until `ok` holds or `tries` more reads were made; returns the last
 * value (the caller's assertion then says what was seen). For effects that land after the answer.
 */
export async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, tries = 100): Promise<T> {
  let v = await what();
  for (let i = 0; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 100));
    v = await what();
  }
  return v;
}

/** The edge helpers, over a harness. */
export function tools(h: Harness) {
  const gateway = (path: string, init?: RequestInit) => h.fetch(path, init);

  /** Logs in and returns the Cookie header value to send on admin calls. */
  async function login(): Promise<string> {
    const res = await gateway('/api/v1/auth/login', {
      method: 'POST', headers: { 'content-type': 'application/json', ...h.from('10.9.9.9') },
      body: JSON.stringify({ password: ADMIN_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers.get('set-cookie') ?? '';
    return cookie.split(';')[0]!;
  }

  /** Calls the admin API with a JSON body; returns status and parsed JSON (or null). */
  async function admin(cookie: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await gateway(`/api/v1${path}`, {
      method,
      headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  /** Registers a scenario with the fake upstream; returns its base URL. */
  async function scenario(s: unknown): Promise<{ id: string; baseUrl: string }> {
    const res = await fetch(`${h.upstreamUrl()}/__scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) });
    if (res.status !== 201) throw new Error(`scenario failed: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: string; baseUrl: string }>;
  }

  /** What the fake upstream received for a scenario. */
  async function received(id: string): Promise<any[]> {
    const res = await fetch(`${h.upstreamUrl()}/__scenarios/${id}/requests`);
    return res.json() as Promise<any[]>;
  }

  /**
   * Creates, for each scenario, an openai-chat channel pointing at it, then one group over all of
   * them (round-robin) and a client key. Returns the group name (the `model` to send) and the key.
   */
  async function routeTo(cookie: string, scenarios: { baseUrl: string }[], opts: { channelType?: string; upstreamModel?: string; settings?: object; mode?: string } = {}) {
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

  return { gateway, login, admin, scenario, received, routeTo };
}

/**
 * The helpers of `tools` over a gateway reached by plain HTTP (a child process, `npm start`), for
 * tests and benchmarks outside the shared suites. Both URLs are read at each call (the gateway may
 * restart on another port). Harness members the helpers do not use are left out.
 */
export function httpTools(gatewayUrl: () => string, upstreamUrl: () => string) {
  return tools({
    fetch: (path: string, init?: RequestInit) => fetch(`${gatewayUrl()}${path}`, init),
    from: () => ({}),
    origin: gatewayUrl,
    upstreamUrl,
  } as unknown as Harness);
}
