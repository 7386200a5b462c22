/**
 * Runs Debian's wrk (`/usr/bin/wrk`, or WRK=path) with bench/e2e/post.lua: one thread, `-c`
 * connections, `-d` seconds, a 10 s timeout (a stalled request shows as a timeout, never silently
 * drops out of the latency histogram), and parses the script's `BENCH_JSON` line.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../worker/test/dev-gateway';

export const WRK = process.env.WRK ?? '/usr/bin/wrk';

/** wrk's summary: latencies in µs, errors by kind. */
export interface WrkResult {
  requests: number;
  duration_us: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  /** Answers with a status ≥ 400. */
  status: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** True when wrk can be run. */
export function haveWrk(): boolean {
  return existsSync(WRK);
}

/**
 * @param o.base e.g. http://127.0.0.1:8080 @param o.path request path @param o.auth Authorization value or ''
 * @param o.run a marker prefix unique to this run (the mock rejects nothing, but counts duplicates)
 * @throws when wrk exits non-zero or prints no summary
 */
export function runWrk(o: { base: string; path: string; model: string; auth: string; run: string; stream?: boolean; connections: number; seconds: number }): Promise<WrkResult> {
  return new Promise((ok, fail) => {
    const child = spawn(WRK, ['-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--timeout', '10s', '-s', join(repoRoot, 'bench/e2e/post.lua'), `${o.base}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_PATH: o.path, BENCH_MODEL: o.model, BENCH_AUTH: o.auth, BENCH_RUN: o.run, BENCH_STREAM: o.stream ? '1' : '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || !line) fail(new Error(`wrk exited ${code}:\n${out}`));
      else ok(JSON.parse(line.slice('BENCH_JSON '.length)) as WrkResult);
    });
  });
}
