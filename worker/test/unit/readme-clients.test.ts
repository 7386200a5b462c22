/**
 * Keeps the README's "Point an SDK at it" section honest: the environment variables, config-file
 * lines and base-URL forms it gives for each coding-agent CLI and SDK must be the ones the
 * real-client harness (worker/test/clients/clients.ts) and the SDK end-to-end tests
 * (worker/test/e2e/facts.ts) use, which pass in CI. The harness's own `prepare` is run with the
 * README's placeholders as endpoint, so a renamed variable or a moved `/v1` fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENTS, type ClientId, type Endpoint, type Invocation } from '../clients/clients';

const root = resolve(import.meta.dirname, '../../..');
const README = readFileSync(join(root, 'README.md'), 'utf8');
const FACTS = readFileSync(join(root, 'worker/test/e2e/facts.ts'), 'utf8');

/** The placeholders the README uses: `npm start`'s address, a client key, a group. */
const BASE = 'http://localhost:8787';
const KEY = 'sk-oe-…';
const GROUP = 'fast';
const endpoint: Endpoint = { root: BASE, apiKey: KEY, model: GROUP };

/** The README's "Point an SDK at it" section (up to the next `## ` heading). */
function sdkSection(): string {
  const start = README.indexOf('\n## Point an SDK at it\n');
  expect(start, 'README has a "Point an SDK at it" section').toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Fenced code blocks of a text, with their language tag. */
function codeBlocks(text: string): { lang: string; body: string }[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
}

/** The part of the section from a bold label (`**Codex**`) to the next bold label. */
function clientPart(label: string): string {
  const s = sdkSection();
  const at = s.indexOf(`**${label}**`);
  expect(at, `README has a **${label}** paragraph`).toBeGreaterThan(-1);
  const next = s.indexOf('\n**', at + 1);
  return s.slice(at, next < 0 ? undefined : next);
}

/** `NAME=value` assignments in the shell blocks of a text (values without spaces or quotes). */
function shellAssignments(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of codeBlocks(text).filter((x) => x.lang === 'sh')) {
    for (const line of b.body.split('\n')) {
      if (line.trimStart().startsWith('#')) continue;
      for (const m of line.matchAll(/\b([A-Z][A-Z0-9_]*)=(\S+)/g)) out.set(m[1]!, m[2]!);
    }
  }
  return out;
}

const LABELS: Record<ClientId, string> = { 'claude-code': 'Claude Code', codex: 'Codex', 'gemini-cli': 'Gemini CLI', opencode: 'opencode' };

const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

/** Runs the harness's own configuration of a CLI against the README's placeholders. */
function prepared(id: ClientId): { inv: Invocation; home: string } {
  const spec = CLIENTS.find((c) => c.id === id)!;
  const home = mkdtempSync(join(tmpdir(), `oe-readme-${id}-`));
  homes.push(home);
  return { inv: spec.prepare({ home, work: home, turn: 'text', main: endpoint, aux: endpoint }), home };
}

describe('README: coding agents, as the client harness configures them', () => {
  it('covers every CLI the harness runs', () => {
    expect(CLIENTS.map((c) => c.id).sort()).toEqual(Object.keys(LABELS).sort());
  });

  it.each(CLIENTS.map((c) => c.id))('%s: every variable carrying the base URL, key or model is in the README with that value', (id) => {
    const { inv } = prepared(id);
    const readme = shellAssignments(clientPart(LABELS[id]));
    // Variables that carry the endpoint are what a user must set; the rest isolate the test run.
    const carried = Object.entries(inv.env).filter(([, v]) => v === GROUP || v.includes(BASE) || v.includes(KEY));
    for (const [name, value] of carried) expect(readme.get(name), `${name} in the README's ${LABELS[id]} block`).toBe(value);
  });

  it('claude-code and gemini-cli get the model on the command line as the harness passes it', () => {
    const flag = (id: ClientId) => {
      const args = prepared(id).inv.args;
      return args[args.indexOf(GROUP) - 1]!;
    };
    expect(clientPart('Claude Code')).toContain(`claude ${flag('claude-code')} ${GROUP}`);
    expect(clientPart('Gemini CLI')).toContain(`gemini ${flag('gemini-cli')} ${GROUP}`);
  });

  it('codex: the README config.toml has the harness lines for the model and its provider, and the key variable', () => {
    const { inv } = prepared('codex');
    const toml = readFileSync(join(inv.env.CODEX_HOME!, 'config.toml'), 'utf8').split('\n');
    const part = clientPart('Codex');
    const block = codeBlocks(part).find((b) => b.lang === 'toml');
    expect(block, 'a toml block in the Codex paragraph').toBeDefined();
    const readmeLines = new Set(block!.body.split('\n').map((l) => l.trim()));
    // Top-level keys and the [model_providers.*] tables; booleans (update checks, analytics) only isolate the test run.
    let section = '';
    let wanted = 0;
    for (const raw of toml) {
      const line = raw.trim();
      if (line.startsWith('[')) section = line.slice(1, -1);
      if (!line || /=\s*(true|false)$/.test(line) || !(section === '' || section.startsWith('model_providers.'))) continue;
      expect(readmeLines.has(line), `README Codex config has: ${line}`).toBe(true);
      wanted++;
    }
    expect(wanted).toBeGreaterThanOrEqual(7);
    const envKey = /^env_key = "(.+)"$/m.exec(toml.join('\n'))![1]!;
    expect(shellAssignments(part).get(envKey)).toBe(KEY);
  });

  it('gemini-cli: the README settings.json selects the auth type the harness selects', () => {
    const { home } = prepared('gemini-cli');
    const settings = JSON.parse(readFileSync(join(home, '.gemini', 'settings.json'), 'utf8'));
    const block = codeBlocks(clientPart('Gemini CLI')).find((b) => b.lang === 'json');
    expect(block, 'a json block in the Gemini CLI paragraph').toBeDefined();
    expect(JSON.parse(block!.body).security).toEqual(settings.security);
  });

  it('opencode: the README config has the harness provider, model and schema', () => {
    const { inv } = prepared('opencode');
    const config = JSON.parse(readFileSync(inv.env.OPENCODE_CONFIG!, 'utf8'));
    const part = clientPart('opencode');
    expect(part).toContain('OPENCODE_CONFIG');
    const block = codeBlocks(part).find((b) => b.lang === 'json');
    expect(block, 'a json block in the opencode paragraph').toBeDefined();
    const readme = JSON.parse(block!.body);
    const [providerId] = config.model.split('/');
    expect(readme.$schema).toBe(config.$schema);
    expect(readme.model).toBe(config.model);
    expect(readme.provider[providerId]).toEqual(config.provider[providerId]);
    // The harness gives title generation its own provider only to keep test scenarios apart.
    expect(readme.provider[readme.small_model.split('/')[0]]).toBeDefined();
  });
});

describe('README: SDK base URLs, as the end-to-end tests pass them', () => {
  /** The suffix facts.ts strips from `<gateway>/v1` for an SDK's constructor, as a RegExp. */
  function stripped(ctor: string, option: string): string {
    const m = new RegExp(`new ${ctor}\\(\\{[^\\n]*?${option}: baseUrl\\.replace\\(/(.+?)/, ''\\)`, 'i').exec(FACTS);
    expect(m, `facts.ts builds ${ctor} with ${option} from the base URL`).not.toBeNull();
    return `${BASE}/v1`.replace(new RegExp(m![1]!.replace(/\\\//g, '/')), '');
  }
  const snippet = (pkg: string) => {
    const b = codeBlocks(sdkSection()).find((x) => x.body.includes(`from '${pkg}'`));
    expect(b, `a snippet importing ${pkg}`).toBeDefined();
    return b!.body;
  };

  it('OpenAI: baseURL with /v1', () => {
    expect(FACTS).toMatch(/new OpenAI\(\{ apiKey, baseURL, /);
    expect(snippet('openai')).toContain(`new OpenAI({ apiKey: '${KEY}', baseURL: '${BASE}/v1' })`);
  });

  it('Anthropic: baseURL as facts.ts derives it (without /v1)', () => {
    const url = stripped('Anthropic', 'baseURL');
    expect(url).toBe(BASE);
    expect(snippet('@anthropic-ai/sdk')).toContain(`new Anthropic({ apiKey: '${KEY}', baseURL: '${url}' })`);
  });

  it('Google GenAI: httpOptions.baseUrl as facts.ts derives it (without /v1beta)', () => {
    const url = stripped('GoogleGenAI', 'httpOptions: \\{ baseUrl');
    expect(url).toBe(BASE);
    expect(snippet('@google/genai')).toContain(`new GoogleGenAI({ apiKey: '${KEY}', httpOptions: { baseUrl: '${url}' } })`);
  });
});
