/** Node mode configuration: defaults written on first start, OCTOPUS_* env overrides, errors naming the option. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigFileError, configArg, DEFAULT_CONFIG_FILE, envName, loadConfig } from '../../src/node/config';
import { loadSecrets } from '../../src/node/secrets';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'oe-node-config-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('writes data/config.json with the defaults on first start, and reads it back after', () => {
    const cwd = tmp();
    const first = loadConfig({ cwd, env: {} });
    expect(first.created).toBe(true);
    expect(first.file).toBe(join(cwd, 'data', 'config.json'));
    expect(first.dataDir).toBe(join(cwd, 'data'));
    expect(first.config).toEqual({ server: { host: '0.0.0.0', port: 8080, trustProxy: false }, database: { type: 'sqlite', path: 'data/data.db' }, log: { level: 'info' } });
    expect(JSON.parse(readFileSync(first.file, 'utf8'))).toEqual({ server: { host: '0.0.0.0', port: 8080, trustProxy: false }, database: { type: 'sqlite', path: 'data/data.db' }, log: { level: 'info' } });
    expect(loadConfig({ cwd, env: {} }).created).toBe(false);
  });

  it('lets OCTOPUS_ + the option path in upper snake case override every option', () => {
    const cwd = tmp();
    expect(envName(['server', 'trustProxy'])).toBe('OCTOPUS_SERVER_TRUST_PROXY');
    const { config } = loadConfig({ cwd, env: {
      OCTOPUS_SERVER_HOST: '127.0.0.1', OCTOPUS_SERVER_PORT: '9090', OCTOPUS_SERVER_TRUST_PROXY: 'true',
      OCTOPUS_DATABASE_TYPE: 'postgres', OCTOPUS_DATABASE_PATH: 'postgres://u:p@db:5432/octo', OCTOPUS_LOG_LEVEL: 'warn',
    } });
    expect(config).toEqual({ server: { host: '127.0.0.1', port: 9090, trustProxy: true }, database: { type: 'postgres', path: 'postgres://u:p@db:5432/octo' }, log: { level: 'warn' } });
  });

  it('stops with a message naming the option and where it came from', () => {
    const cwd = tmp();
    const err = (env: Record<string, string>) => {
      try {
        loadConfig({ cwd, env });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigFileError);
        return (e as Error).message;
      }
      throw new Error('expected a ConfigFileError');
    };
    expect(err({ OCTOPUS_SERVER_PORT: 'eighty' })).toMatch(/^Invalid configuration: server\.port \(env OCTOPUS_SERVER_PORT\):/);
    expect(err({ OCTOPUS_SERVER_PORT: '70000' })).toMatch(/server\.port/);
    expect(err({ OCTOPUS_DATABASE_TYPE: 'oracle' })).toMatch(/^Invalid configuration: database\.type \(env OCTOPUS_DATABASE_TYPE\)/);
    expect(err({ OCTOPUS_DATABASE_TYPE: 'mysql' })).toMatch(/database\.path .*must be a mysql:\/\/ connection string/);
    expect(err({ OCTOPUS_LOG_LEVEL: 'loud' })).toMatch(/log\.level/);
    writeFileSync(join(cwd, 'data', 'config.json'), JSON.stringify({ server: { prot: 1 } }));
    expect(err({})).toMatch(new RegExp(`^Invalid configuration: server\\.prot \\(${join(cwd, 'data', 'config.json').replace(/[.]/g, '\\.')}\\)`));
    writeFileSync(join(cwd, 'data', 'config.json'), '{ nope');
    expect(err({})).toMatch(/not valid JSON/);
  });

  it('reads another file with --config, and creates it with the defaults when missing', () => {
    const cwd = tmp();
    expect(configArg(['--config', 'x.json'])).toBe('x.json');
    expect(configArg(['--config=y.json'])).toBe('y.json');
    expect(configArg([])).toBeUndefined();
    mkdirSync(join(cwd, 'etc'));
    writeFileSync(join(cwd, 'etc', 'octo.json'), JSON.stringify({ server: { port: 8123 } }));
    const loaded = loadConfig({ cwd, env: {}, file: 'etc/octo.json' });
    expect(loaded.config.server.port).toBe(8123);
    expect(loaded.dataDir).toBe(join(cwd, 'etc'));
    const created = loadConfig({ cwd, env: {}, file: 'new/octo.json' });
    expect(created.created).toBe(true);
    expect(created.dataDir).toBe(join(cwd, 'new'));
    expect(JSON.parse(readFileSync(join(cwd, 'new', 'octo.json'), 'utf8'))).toEqual(DEFAULT_CONFIG_FILE);
    expect(loadConfig({ cwd, env: {}, file: 'new/octo.json' }).created).toBe(false);
  });
});

describe('loadSecrets', () => {
  it('generates what the environment lacks into secrets.json (0600) once, and never writes env secrets', () => {
    const dir = tmp();
    const first = loadSecrets(dir, {});
    expect(first.generatedPassword).toBe(first.adminPassword);
    expect(first.encryptionKey.length).toBeGreaterThanOrEqual(16);
    const again = loadSecrets(dir, {});
    expect(again).toMatchObject({ adminPassword: first.adminPassword, encryptionKey: first.encryptionKey });
    expect(again.generatedPassword).toBeUndefined();

    const other = tmp();
    const fromEnv = loadSecrets(other, { ADMIN_PASSWORD: 'env-password-123', ENCRYPTION_KEY: 'env-key-0123456789' });
    expect(fromEnv).toEqual({ adminPassword: 'env-password-123', encryptionKey: 'env-key-0123456789' });
    expect(() => readFileSync(join(other, 'secrets.json'))).toThrow();
    expect(() => loadSecrets(tmp(), { ENCRYPTION_KEY: 'short' })).toThrow(/at least 16 characters/);
  });

  it('reads METRICS_TOKEN from the environment or secrets.json, never makes one, keeps it on a rewrite, refuses a short one', () => {
    expect(loadSecrets(tmp(), {}).metricsToken).toBeUndefined();
    expect(loadSecrets(tmp(), { METRICS_TOKEN: 'env-metrics-token-0123' }).metricsToken).toBe('env-metrics-token-0123');
    const dir = tmp();
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ encryptionKey: 'half-key-0123456789abcdef', METRICS_TOKEN: 'file-metrics-token-0123' }));
    expect(loadSecrets(dir, {}).metricsToken).toBe('file-metrics-token-0123');
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).METRICS_TOKEN).toBe('file-metrics-token-0123');
    expect(() => loadSecrets(tmp(), { METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16/);
  });

  it('keeps the secrets under the environment names, and rewrites an older file under them', () => {
    const dir = tmp();
    const first = loadSecrets(dir, {});
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toEqual({ ADMIN_PASSWORD: first.adminPassword, ENCRYPTION_KEY: first.encryptionKey });

    const old = tmp();
    writeFileSync(join(old, 'secrets.json'), JSON.stringify({ adminPassword: 'old-password-1', encryptionKey: 'old-key-0123456789abcdef' }), { mode: 0o644 });
    const migrated = loadSecrets(old, {});
    expect(migrated).toMatchObject({ adminPassword: 'old-password-1', encryptionKey: 'old-key-0123456789abcdef' });
    expect(migrated.generatedPassword).toBeUndefined();
    expect(JSON.parse(readFileSync(join(old, 'secrets.json'), 'utf8'))).toEqual({ ADMIN_PASSWORD: 'old-password-1', ENCRYPTION_KEY: 'old-key-0123456789abcdef' });
    expect(statSync(join(old, 'secrets.json')).mode & 0o777).toBe(0o600);

    // Half an old file: what is there is kept, only the missing secret is made.
    const half = tmp();
    writeFileSync(join(half, 'secrets.json'), JSON.stringify({ encryptionKey: 'half-key-0123456789abcdef' }));
    const filled = loadSecrets(half, {});
    expect(filled.encryptionKey).toBe('half-key-0123456789abcdef');
    expect(filled.generatedPassword).toBe(filled.adminPassword);
    expect(() => { writeFileSync(join(half, 'secrets.json'), '[1]'); loadSecrets(half, {}); }).toThrow(/not a valid JSON object/);
  });
});
