/**
 * Graceful shutdown of the real process: SIGTERM in the middle of a burst of streamed and plain
 * requests loses no stats row and no log row. The flush timer is set to an hour, so everything
 * counted after the restart was written by the shutdown flush itself.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, httpTools } from '../suites/harness';
import { startFakeUpstream, type FakeUpstream } from '../upstream/server';
import { startGatewayProcess, type GatewayProcess } from './process';

const TEXT_JSON = 'openai-chat/vercel__openai-text.json'; // usage: 16 in, 363 out
const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt'; // usage: 16 in, 300 out

describe('graceful shutdown (node, SQLite, child process)', () => {
  let upstream: FakeUpstream;
  let dir: string;
  let gw: GatewayProcess | undefined;
  const env = () => ({
    ADMIN_PASSWORD, ENCRYPTION_KEY: 'test-encryption-key-0123456789', STATS_FLUSH_INTERVAL_MS: '3600000',
    MODELS_DEV_URL: `${upstream.url}/nothing/api.json`,
  });
  // The tools need only fetch and the upstream URL; the process is restarted on a new port.
  const { admin, login, routeTo, scenario } = httpTools(() => gw!.url, () => upstream.url);

  beforeAll(async () => {
    upstream = await startFakeUpstream({ host: '127.0.0.1' });
    dir = mkdtempSync(join(tmpdir(), 'oe-node-shutdown-'));
  });
  afterAll(async () => {
    await gw?.signal('SIGKILL');
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM mid-burst: in-flight requests finish, every answered request is logged and counted once, exit 0', async () => {
    gw = await startGatewayProcess(join(dir, 'data'), env());
    const cookie = await login();
    // Slow answers (first byte after 300 ms, streams with 5 ms between writes): requests are in flight at SIGTERM.
    const up = await scenario({ json: TEXT_JSON, stream: TEXT_STREAM, latencyMs: 300, gapMs: 5 });
    const r = await routeTo(cookie, [up]);

    let answered = 0;
    let streamed = 0;
    let sigtermAt = 0;
    const lostBeforeSigterm: string[] = [];
    const worker = async (n: number) => {
      for (let i = 0; ; i++) {
        const stream = (n + i) % 2 === 0;
        const startedAt = Date.now();
        try {
          const res = await fetch(`${gw!.url}/v1/chat/completions`, {
            method: 'POST', headers: { authorization: `Bearer ${r.clientKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: r.group, stream, messages: [{ role: 'user', content: 'hi' }] }),
          });
          const text = await res.text();
          if (res.status !== 200) throw new Error(`status ${res.status}: ${text.slice(0, 200)}`);
          if (stream && !text.includes('data: [DONE]')) throw new Error('stream cut short');
          answered += 1;
          if (stream) streamed += 1;
        } catch (err) {
          // After SIGTERM new connections are refused: that worker is done. Before it, nothing may fail.
          if (!sigtermAt || startedAt < sigtermAt) lostBeforeSigterm.push(String((err as Error).cause ?? err));
          return;
        }
      }
    };
    const burst = Array.from({ length: 8 }, (_, n) => worker(n));
    while (answered < 12) await new Promise((ok) => setTimeout(ok, 20));
    sigtermAt = Date.now();
    const exit = gw.signal('SIGTERM');
    await Promise.all(burst);
    expect(await exit).toBe(0);
    expect(lostBeforeSigterm).toEqual([]);
    expect(streamed).toBeGreaterThan(0);
    expect(gw.output()).toMatch(/"msg":"stopped","unflushed":0/);

    // Restart: everything answered is in the database, once.
    gw = await startGatewayProcess(join(dir, 'data'), env());
    const db = new Database(join(dir, 'data', 'data.db'), { readonly: true });
    try {
      const logs = db.prepare('SELECT count(*) AS n FROM request_logs WHERE group_name = ?').get(r.group) as { n: number };
      const stats = db.prepare('SELECT sum(requests) AS requests, sum(successes) AS successes, sum(output_tokens) AS output FROM stats_hourly WHERE group_name = ?').get(r.group) as Record<string, number>;
      expect(logs.n).toBe(answered);
      expect(stats.requests).toBe(answered);
      expect(stats.successes).toBe(answered);
      expect(stats.output).toBe(streamed * 300 + (answered - streamed) * 363);
    } finally {
      db.close();
    }
    // The same through the admin API of the restarted process (a session survives the restart too).
    expect((await admin(cookie, 'GET', `/logs?group=${r.group}&limit=200`)).json.data).toHaveLength(answered);
    expect(await gw.signal('SIGTERM')).toBe(0);
    gw = undefined;
  }, 120_000);

  it('creates config and secrets on first start, prints the admin password once, never logs it again', async () => {
    const data = join(dir, 'fresh');
    const envNoPassword: Record<string, string> = { ...env(), ADMIN_PASSWORD: '', ENCRYPTION_KEY: '' };
    gw = await startGatewayProcess(data, envNoPassword);
    expect(await gw.signal('SIGINT')).toBe(0);
    const first = gw.output();
    const password = /Admin password: (\S+)/.exec(first)?.[1];
    expect(password).toBeTruthy();
    // Findable: after every start-up log line (the last thing printed before the shutdown's lines),
    // and kept under the same name as in the environment and .dev.vars.
    const startup = first.slice(0, first.indexOf('"msg":"signal received"'));
    expect(startup.indexOf('Admin password:')).toBeGreaterThan(startup.indexOf('"msg":"listening"'));
    expect(startup.slice(startup.indexOf('Admin password:'))).not.toMatch(/"msg":/);
    expect(first).toMatch(/stays in \S*secrets\.json as ADMIN_PASSWORD/);
    expect(JSON.parse(readFileSync(join(data, 'secrets.json'), 'utf8'))).toEqual({ ADMIN_PASSWORD: password, ENCRYPTION_KEY: expect.any(String) });
    expect(statSync(join(data, 'secrets.json')).mode & 0o777).toBe(0o600);
    gw = await startGatewayProcess(data, envNoPassword);
    const res = await fetch(`${gw.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
    expect(res.status).toBe(200);
    expect(gw.output()).not.toContain(password!);
    expect(await gw.signal('SIGTERM')).toBe(0);
    expect(gw.output()).not.toContain(password!);
    gw = undefined;
  }, 60_000);
});
