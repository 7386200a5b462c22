/**
 * Installs the pinned CLIs into `<project>/.clients` (outside the project's dependencies), once.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientSpec } from './clients.js';

export interface InstallResult {
  /** Folder holding the executables. */
  binDir: string;
  /** True when npm ran (false: every pinned version was already there). */
  installed: boolean;
  ms: number;
}

function installedVersion(prefix: string, pkg: string): string | null {
  const file = join(prefix, 'node_modules', pkg, 'package.json');
  if (!existsSync(file)) return null;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/** The pinned packages missing or at another version under `prefix`. */
export function missing(prefix: string, clients: ClientSpec[]): ClientSpec[] {
  return clients.filter(
    (c) => installedVersion(prefix, c.pkg) !== c.version || !existsSync(join(prefix, 'node_modules', '.bin', c.bin)),
  );
}

/** Ensures every client is installed at its pinned version under `prefix`; logs npm's output on failure. */
export async function ensureClients(
  prefix: string,
  clients: ClientSpec[],
  log: (s: string) => void,
  timeoutMs = 15 * 60_000,
): Promise<InstallResult> {
  const started = Date.now();
  const binDir = join(prefix, 'node_modules', '.bin');
  const todo = missing(prefix, clients);
  if (todo.length === 0) return { binDir, installed: false, ms: Date.now() - started };
  // Always install the full pinned set together so npm never prunes one while adding another.
  const specs = clients.map((c) => `${c.pkg}@${c.version}`);
  const args = ['install', '--prefix', prefix, '--no-save', '--engine-strict=false', '--no-audit', '--no-fund', ...specs];
  log(`installing ${todo.map((c) => `${c.pkg}@${c.version}`).join(', ')}: npm ${args.join(' ')}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  let out = '';
  let timedOut = false;
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(npm, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (timedOut) throw new Error(`npm install did not finish within ${timeoutMs / 1000} s:\n${out}`);
  if (code !== 0) throw new Error(`npm install failed (exit ${code}):\n${out}`);
  const still = missing(prefix, clients);
  if (still.length) throw new Error(`npm install finished but these are still missing or at another version: ${still.map((c) => c.pkg).join(', ')}\n${out}`);
  return { binDir, installed: true, ms: Date.now() - started };
}
