/**
 * Dashboard weight on a throttled phone: the built Node bundle (`npm run build:node`, serving
 * dashboard/build with its brotli copies) on a fresh SQLite, driven by Debian's chromium through
 * playwright-core with a phone profile (375×812, 4× CPU slowdown, 150 ms RTT, 1.6 Mbit/s down,
 * 750 kbit/s up: Lighthouse's "slow 4G" numbers). A benchmark, never a test.
 *
 * For each round, a new browser context (empty cache):
 * - login page: bytes of JavaScript and of everything transferred (as sent, compressed), first
 *   contentful paint, and the time until the password field is visible (ms from navigation start);
 * - overview after logging in: the time from pressing "Log in" until the overview's numbers show.
 *
 * Usage: `npm run build:node && npx tsx bench/dashboard-load.ts [--rounds 5]`. Prints medians and
 * min…max.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type CDPSession } from 'playwright-core';
import { freePort } from '../worker/test/dev-gateway';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const PASSWORD = 'bench-admin-password-123';

const dir = mkdtempSync(join(tmpdir(), 'oe-dash-bench-'));
const port = await freePort();
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ server: { host: '127.0.0.1', port }, database: { type: 'sqlite', path: join(dir, 'data.db') }, log: { level: 'warn' } }));
const server = spawn(process.execPath, [join(root, 'dist/node/server.mjs'), '--config', config], {
  env: { ...process.env, ADMIN_PASSWORD: PASSWORD, ENCRYPTION_KEY: 'bench-encryption-key-0123456789', MODELS_DEV_URL: 'http://127.0.0.1:9/' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}/healthz`)).ok) break;
  } catch {}
  if (i > 300) throw new Error('the Node server did not start (run `npm run build:node` first)');
  await new Promise((ok) => setTimeout(ok, 100));
}

async function throttle(cdp: CDPSession) {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

interface Round { jsBytes: number; allBytes: number; fcp: number; loginVisible: number; overviewData: number }
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const results: Round[] = [];
try {
  for (let r = 0; r < rounds; r++) {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await throttle(cdp);
    let jsBytes = 0;
    let allBytes = 0;
    const types = new Map<string, string>();
    cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
    cdp.on('Network.loadingFinished', (e) => {
      allBytes += e.encodedDataLength;
      if (types.get(e.requestId) === 'Script') jsBytes += e.encodedDataLength;
    });
    await page.goto(`${url}/login`);
    await page.getByLabel('Admin password').waitFor();
    const timing = await page.evaluate(() => {
      // Runs in the page: the DOM's Performance (the tsconfig has Node's types only).
      const perf = (globalThis as unknown as { performance: { now(): number; getEntriesByName(n: string): { startTime: number }[] } }).performance;
      const fcp = perf.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      return { fcp, now: perf.now() };
    });
    await page.waitForLoadState('networkidle');
    const login = { jsBytes, allBytes };
    await page.getByLabel('Admin password').fill(PASSWORD);
    const pressed = Date.now();
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Requests', { exact: true }).first().waitFor();
    await page.getByRole('region', { name: 'Charts' }).waitFor();
    const overviewData = Date.now() - pressed;
    results.push({ ...login, fcp: timing.fcp, loginVisible: timing.now, overviewData });
    await context.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
};
const kib = (n: number) => (n / 1024).toFixed(1);
const row = (name: string, xs: number[], f: (n: number) => string, unit: string) => {
  const { median, min, max } = stat(xs);
  console.log(`${name.padEnd(34)} ${f(median).padStart(8)} ${unit}  (${f(min)}…${f(max)})`);
};
console.log(`dashboard on a throttled phone (slow 4G, 4× CPU), ${rounds} rounds, empty cache each`);
row('login page: JavaScript transferred', results.map((r) => r.jsBytes), kib, 'KiB');
row('login page: everything transferred', results.map((r) => r.allBytes), kib, 'KiB');
row('login page: first contentful paint', results.map((r) => r.fcp), (n) => n.toFixed(0), 'ms');
row('login page: password field shown', results.map((r) => r.loginVisible), (n) => n.toFixed(0), 'ms');
row('log in → overview data shown', results.map((r) => r.overviewData), (n) => n.toFixed(0), 'ms');
