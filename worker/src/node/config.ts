/**
 * Node mode configuration: a JSON file (default `data/config.json`, written with the defaults on
 * first start), every option overridable by an environment variable `OCTOPUS_` + its path in upper
 * snake case (`server.port` → OCTOPUS_SERVER_PORT, `server.trustProxy` → OCTOPUS_SERVER_TRUST_PROXY).
 * Validated with zod; an invalid value stops the start with a ConfigFileError naming the option and
 * where it came from. Relative paths are relative to the working directory.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';

/** Logger levels, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Env values are strings: "true"/"1"/"yes" and "false"/"0"/"no" are booleans. */
const boolish = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return v;
}, z.boolean());
/** Env values are strings: a decimal integer string is a number. */
const intish = (schema: z.ZodInt) => z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), schema);

const ServerOptions = z.strictObject({
  /** Interface to listen on. */
  host: z.string().min(1).default('0.0.0.0'),
  /** TCP port. */
  port: intish(z.int().min(1).max(65535)).default(8080),
  /**
   * Behind a reverse proxy: take the client address (login throttle) from the last hop of
   * X-Forwarded-For, which the proxy appends. Off by default: the header is the client's to forge.
   */
  trustProxy: boolish.default(false),
});

const DatabaseOptions = z.strictObject({
  type: z.enum(['sqlite', 'mysql', 'postgres']).default('sqlite'),
  /** SQLite: a file path. MySQL/PostgreSQL: a connection string (mysql://…, postgres://…). */
  path: z.string().min(1).default('data/data.db'),
});

const LogOptions = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
});

/** The sections and their options; the env overrides are derived from these shapes. */
const SECTIONS = { server: ServerOptions, database: DatabaseOptions, log: LogOptions };

export const NodeConfigSchema = z.strictObject({
  server: ServerOptions.prefault({}),
  database: DatabaseOptions.prefault({}).superRefine((db, ctx) => {
    if (db.type === 'sqlite') return;
    const scheme = db.type === 'mysql' ? /^mysql:\/\// : /^postgres(ql)?:\/\//;
    if (!scheme.test(db.path)) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: `must be a ${db.type === 'mysql' ? 'mysql://' : 'postgres://'} connection string when database.type is ${db.type}` });
    }
  }),
  log: LogOptions.prefault({}),
});

export type NodeConfig = z.infer<typeof NodeConfigSchema>;

/** What the config file holds when it is first written: every option with its default, so the file documents itself. */
export const DEFAULT_CONFIG_FILE = {
  server: { host: '0.0.0.0', port: 8080, trustProxy: false },
  database: { type: 'sqlite', path: 'data/data.db' },
  log: { level: 'info' },
};

/** A configuration that cannot be used; the message names the option and never holds a secret. */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

/** `trustProxy` → `TRUST_PROXY`. */
function envSegment(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every option path, e.g. ['server', 'port']. */
function optionPaths(): string[][] {
  return Object.entries(SECTIONS).flatMap(([section, schema]) => Object.keys(schema.shape).map((key) => [section, key]));
}

/** The env variable that overrides an option path. */
export function envName(path: string[]): string {
  return `OCTOPUS_${path.map(envSegment).join('_')}`;
}

export interface LoadedConfig {
  config: NodeConfig;
  /** Absolute path of the config file read (or created). */
  file: string;
  /** True when this start wrote the file with the defaults. */
  created: boolean;
  /** The folder holding the config file: secrets.json lives there too. */
  dataDir: string;
}

/** `--config <file>` or `--config=<file>` from the command line, if given. */
export function configArg(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') return argv[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return undefined;
}

/**
 * Reads (or creates, with the defaults, when it does not exist) the config file, applies env
 * overrides, validates.
 * @param opts.file the config file (default `data/config.json` under `cwd`); created the same way.
 * @throws ConfigFileError for unreadable JSON or an invalid option (the message names it).
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const file = resolve(cwd, opts.file ?? 'data/config.json');
  let created = false;
  if (!existsSync(file)) {
    // `--config FILE` for a file that is not there yet behaves like the default path: written with
    // the defaults, so a first start with a chosen location needs no hand-made file.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 }); // the data folder: secrets.json goes here too
    writeFileSync(file, `${JSON.stringify(DEFAULT_CONFIG_FILE, null, 2)}\n`);
    created = true;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigFileError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigFileError(`${file}: must hold a JSON object.`);

  // Env overrides win over the file; remember which options they set, to name the source on error.
  const merged = structuredClone(raw) as Record<string, Record<string, unknown>>;
  const fromEnv = new Map<string, string>();
  for (const path of optionPaths()) {
    const name = envName(path);
    const value = env[name];
    if (value === undefined || value === '') continue;
    const [section, key] = path as [string, string];
    if (merged[section] === undefined || typeof merged[section] !== 'object') merged[section] = {};
    merged[section]![key] = value;
    fromEnv.set(path.join('.'), name);
  }

  const parsed = NodeConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = issue.path.map(String).join('.');
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (option ? `${option}.${k}` : k)).join(', ') : '';
    const name = unknownKeys || option || '(root)';
    const source = fromEnv.get(option) ? `env ${fromEnv.get(option)}` : file;
    throw new ConfigFileError(`Invalid configuration: ${name} (${source}): ${issue.message}.`);
  }
  return { config: parsed.data, file, created, dataDir: dirname(file) };
}
