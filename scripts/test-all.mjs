/**
 * `npm run test:all`: every stage of the test suite, each run even when an earlier one fails.
 *
 * Stages (in this order; the two static checks and the deploy check run side by side, the browser
 * tests and the CLI tests run side by side because each starts its own gateway on free ports):
 *   typecheck      tsc --noEmit
 *   svelte-check   the dashboard's svelte-check
 *   deploy         scripts/ci-deploy-check.mjs: `wrangler deploy --dry-run` within the bundle
 *                  budget, and the built Node bundle serving one real request, then stopping cleanly
 *   vitest         unit, workerd, Node (SQLite, MariaDB, PostgreSQL) and SDK end-to-end tests
 *   ui             the dashboard in Playwright with Debian's chromium
 *   clients        Claude Code, Codex, Gemini CLI and opencode against the gateway
 *
 * Output of every stage goes to the console line by line with a `[stage]` prefix and, whole, to
 * `.test-artifacts/test-all/<stage>.log`. The run ends with one line per stage and a final
 * `N passed, N failed` line summed over all stages (a static check and the deploy check count as
 * one test each); the exit code is 1 when any stage failed or a stage reported no count at all.
 *
 * Options: `--only a,b` runs only the named stages.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const artifacts = join(root, '.test-artifacts', 'test-all');

/**
 * One stage: the command, and how to read its test counts once it has ended.
 * `count(exitCode, output)` returns passed/failed counts, or null when the stage printed none.
 */
const STAGES = {
  typecheck: {
    cmd: ['npx', 'tsc', '--noEmit', '-p', 'tsconfig.json'],
    count: (code) => ({ passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 }),
  },
  'svelte-check': {
    cmd: ['npm', 'run', '--silent', 'check', '--workspace', 'dashboard'],
    count: (code) => ({ passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 }),
  },
  // Both deployables built as users build them (offline); ~3 s, so it fits beside the static checks.
  deploy: {
    cmd: ['node', 'scripts/ci-deploy-check.mjs'],
    count: (code) => ({ passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 }),
  },
  vitest: {
    cmd: ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(artifacts, 'vitest.json')}`],
    count: () => {
      const report = readJson(join(artifacts, 'vitest.json'));
      if (!report) return null;
      // Suites that fail to load count as failures too (their tests never ran).
      const brokenFiles = (report.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0).length;
      return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles };
    },
  },
  ui: {
    cmd: ['npx', 'playwright', 'test', '-c', 'dashboard/playwright.config.ts', '--reporter=list,json'],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: join(artifacts, 'playwright.json') },
    count: () => {
      const report = readJson(join(artifacts, 'playwright.json'));
      if (!report?.stats) return null;
      // A test that failed and then passed on retry is flaky: counted as failed (a flaky test is a bug).
      return { passed: report.stats.expected, failed: report.stats.unexpected + report.stats.flaky };
    },
  },
  clients: {
    cmd: ['npx', 'tsx', 'scripts/test-clients.ts'],
    count: (_code, output) => {
      const all = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)];
      const last = all.at(-1);
      return last ? { passed: Number(last[1]), failed: Number(last[2]) } : null;
    },
  },
};

/** Stages run one batch after the other; the stages of a batch run side by side. */
const BATCHES = [['typecheck', 'svelte-check', 'deploy'], ['vitest'], ['ui', 'clients']];

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Runs one stage to its end.
 * @returns {Promise<{ name: string, code: number, seconds: number, counts: {passed:number, failed:number} | null }>}
 */
function runStage(name) {
  const stage = STAGES[name];
  const log = createWriteStream(join(artifacts, `${name}.log`));
  const started = Date.now();
  let output = '';
  return new Promise((done) => {
    const child = spawn(stage.cmd[0], stage.cmd.slice(1), {
      cwd: root,
      env: { ...process.env, ...stage.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = (chunk) => {
      const text = chunk.toString('utf8');
      log.write(text);
      // Keep only the tail for count parsing; a stage's whole output can be large.
      output = (output + text).slice(-200_000);
      for (const line of text.split('\n')) if (line.length > 0) process.stdout.write(`[${name}] ${line}\n`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    // Ctrl-C or a supervisor's SIGTERM stops the stages too.
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    child.on('close', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log.end();
      const exit = code ?? (signal ? 128 : 1);
      let counts = null;
      try {
        counts = stage.count(exit, output);
      } catch {
        counts = null;
      }
      done({ name, code: exit, seconds: (Date.now() - started) / 1000, counts });
    });
  });
}

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : null;
for (const name of only ?? []) if (!STAGES[name]) throw new Error(`unknown stage ${name}; stages: ${Object.keys(STAGES).join(', ')}`);

rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });

const started = Date.now();
const results = [];
// The built dashboard is served by the gateways of the vitest and ui stages; build it once, first.
const prepare = spawn('node', ['scripts/ensure-dashboard.mjs'], { cwd: root, stdio: 'inherit' });
const prepared = await new Promise((done) => prepare.on('close', (code) => done(code)));
if (prepared !== 0) {
  console.log(`0 passed, 1 failed (the dashboard did not build: exit ${prepared})`);
  process.exit(1);
}
for (const batch of BATCHES) {
  const names = batch.filter((name) => !only || only.has(name));
  results.push(...(await Promise.all(names.map(runStage))));
}

let passed = 0;
let failed = 0;
let ok = true;
console.log('\n== test:all summary');
for (const result of results) {
  const counts = result.counts;
  const stageOk = result.code === 0 && counts !== null && counts.failed === 0;
  ok &&= stageOk;
  if (counts) {
    passed += counts.passed;
    // A non-zero exit with no failed test (an unhandled error, a broken setup) still counts as one failure.
    failed += counts.failed > 0 ? counts.failed : result.code === 0 ? 0 : 1;
  } else {
    failed += 1; // a stage that ended without any count broke before its tests ran
  }
  const detail = counts ? `${counts.passed} passed, ${counts.failed} failed` : 'no test count (stage broke)';
  console.log(`${stageOk ? 'ok  ' : 'FAIL'} ${result.name.padEnd(13)} ${detail}, exit ${result.code}, ${Math.round(result.seconds)} s  (log: .test-artifacts/test-all/${result.name}.log)`);
}
console.log(`${passed} passed, ${failed} failed (${Math.round((Date.now() - started) / 1000)} s)`);
process.exit(ok ? 0 : 1);
