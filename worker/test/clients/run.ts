/**
 * `npm run test:clients`: real coding-agent CLIs (Claude Code, Codex, Gemini CLI, opencode) run
 * against the gateway, whose groups route to a fake upstream channel speaking a DIFFERENT protocol,
 * for a text turn and a tool turn each; plus a `thinking` turn for a CLI that names channels for it
 * (opencode, an OpenAI Chat client, through an Anthropic channel: the first answer's signed
 * thinking must reach the upstream again on the second turn, with thinking still on). See
 * scripts/test-clients.ts for the options.
 *
 * Every run goes through a recording proxy (tap.ts) so a failure shows what the client sent and
 * what the gateway answered; the fake upstream records what the gateway sent upstream. A "direct"
 * column runs each CLI straight against the fake upstream in its own protocol (no gateway): it
 * proves the CLI configuration and the hand-written replies, so a gateway-column failure next to a
 * passing direct cell points at the gateway.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { startFakeUpstream, type Behavior, type FakeUpstream, type RecordedRequest, type WireProtocol } from '../upstream/server.js';
import { startGateway, type RunningGateway } from '../e2e/harness.js';
import { CLIENTS, type ClientSpec, type Endpoint, type Turn } from './clients.js';
import { checkSignedThinking, checkToolResult, declaredTools } from './checks.js';
import { ensureClients } from './install.js';
import { startTap, type Exchange, type Tap } from './tap.js';
import { recordedThinkingThenTool, streamReply, type SignedThinking } from './wire.js';

const root = resolve(import.meta.dirname, '../../..');
const PROTOCOLS: WireProtocol[] = ['anthropic', 'openai-chat', 'openai-responses', 'gemini'];

/** Where a run's requests go: straight to the fake upstream, or through the gateway to a channel of this protocol. */
type Route = 'direct' | WireProtocol;

/** Real recorded text replies per protocol, and a distinctive piece of their text. */
const TEXT: Record<WireProtocol, { stream: string; json: string; expect: string }> = {
  anthropic: { stream: 'anthropic/vercel__anthropic-text.chunks.txt', json: 'anthropic/vercel__anthropic-text.json', expect: 'thank you for asking' },
  'openai-chat': { stream: 'openai-chat/vercel__openai-text.chunks.txt', json: 'openai-chat/vercel__openai-text.json', expect: 'Harmony Day' },
  'openai-responses': {
    stream: 'openai-responses/vercel__openai-web-search-tool.1.chunks.txt',
    json: 'openai-responses/vercel__openai-web-search-tool.1.json',
    expect: 'Petco disclosed',
  },
  gemini: { stream: 'gemini/vercel__google-text.chunks.txt', json: 'gemini/vercel__google-text.json', expect: 'in strawberry' },
};

/**
 * The `thinking` turn's first answer opens with the second message of this recording: its
 * `message_start` and a thinking block signed `sig-second` (wire events 7 to 11); the tool_use
 * that follows is written for the CLI's own tool.
 */
const SIGNED_THINKING_TURN = { recording: 'anthropic/vercel__spliced-message-start.chunks.txt', events: { from: 7, to: 12 } };

/** Upstream model names a channel of each protocol is given (realistic, so model-dependent conversion rules apply). */
const UPSTREAM_MODEL: Record<WireProtocol, string> = {
  anthropic: 'claude-sonnet-4-5',
  'openai-chat': 'gpt-4.1-nano',
  'openai-responses': 'gpt-5-mini',
  gemini: 'gemini-2.5-flash',
};

/** Channel base URL for a scenario, per protocol convention (the gateway appends `messages`, `chat/completions`, ...). */
function channelBase(protocol: WireProtocol, scenarioBase: string): string {
  return protocol === 'gemini' ? `${scenarioBase}/v1beta` : `${scenarioBase}/v1`;
}

/** The request path each protocol's upstream call must use (for diagnostics). */
const UPSTREAM_PATH: Record<WireProtocol, RegExp> = {
  anthropic: /\/v1\/messages$/,
  'openai-chat': /\/v1\/chat\/completions$/,
  'openai-responses': /\/v1\/responses$/,
  gemini: /\/v1beta\/models\/[^/]+:(stream)?[gG]enerateContent$/,
};

interface Options {
  clients: ClientSpec[];
  routes: Route[];
  timeoutMs: number;
  concurrency: number;
  clientsDir: string;
  install: boolean;
  keep: boolean;
  verbose: boolean;
  /** Also route through a gateway channel of the CLI's own protocol. */
  same: boolean;
  /** Save evidence of passing runs too. */
  saveAll: boolean;
}

interface Task {
  client: ClientSpec;
  turn: Turn;
  route: Route;
}

interface Outcome {
  task: Task;
  pass: boolean;
  /** One-line reason (failures) or summary (passes). */
  reason: string;
  /** Evidence for failures. */
  details: string[];
  ms: number;
  artifacts?: string;
}

const USAGE = `usage: tsx scripts/test-clients.ts [options]
  --clients LIST     claude-code,codex,gemini-cli,opencode (default: all)
  --channels LIST    channel protocols to route through the gateway: anthropic,openai-chat,openai-responses,gemini
                     (default: every protocol other than the CLI's own)
  --same             also route through a gateway channel of the CLI's own protocol (passthrough)
  --no-direct        skip the "direct" baseline (CLI against the fake upstream, no gateway)
  --direct-only      only the direct baseline (no gateway; useful while the gateway does not build)
  --timeout SEC      per CLI run (default 120)
  --concurrency N    CLI runs at once (default 4)
  --clients-dir DIR  where the CLIs are installed (default <project>/.clients)
  --skip-install     use whatever is in --clients-dir
  --keep             keep the per-run HOME/work folders
  --verbose          print each CLI's output
  --save-all         keep the evidence (output, client exchanges, upstream requests) of passing runs too`;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string' },
      channels: { type: 'string' },
      same: { type: 'boolean', default: false },
      'no-direct': { type: 'boolean', default: false },
      'direct-only': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '120' },
      concurrency: { type: 'string', default: '4' },
      'clients-dir': { type: 'string' },
      'skip-install': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'save-all': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const list = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
  const wanted = list(values.clients);
  const clients = wanted ? wanted.map((id) => CLIENTS.find((c) => c.id === id) ?? fail(`unknown client ${id}`)) : CLIENTS;
  const channels = list(values.channels)?.map((p) => (PROTOCOLS.includes(p as WireProtocol) ? (p as WireProtocol) : fail(`unknown channel protocol ${p}`)));
  const routes: Route[] = [];
  if (!values['no-direct']) routes.push('direct');
  if (!values['direct-only']) routes.push(...(channels ?? PROTOCOLS));
  const timeoutMs = Number(values.timeout) * 1000;
  const concurrency = Number(values.concurrency);
  if (!(timeoutMs > 0)) fail('--timeout must be a positive number of seconds');
  if (!(Number.isInteger(concurrency) && concurrency > 0)) fail('--concurrency must be a positive integer');
  return {
    clients, routes, timeoutMs, concurrency,
    clientsDir: resolve(values['clients-dir'] ?? join(root, '.clients')),
    install: !values['skip-install'], keep: values.keep, verbose: values.verbose, same: values.same, saveAll: values['save-all'],
  };
}

function fail(msg: string): never {
  console.error(`${msg}\n\n${USAGE}`);
  process.exit(2);
}

/** Drops ANSI escapes and carriage-return overwrites so output can be searched. */
function plain(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b\][^\x07]*\x07/g, '').replace(/\r/g, '');
}

function tail(s: string, lines = 15): string {
  const all = plain(s).trimEnd().split('\n');
  return all.slice(-lines).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n');
}

function snippet(s: string, n = 600): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/** Process groups of the CLIs running now, killed if this script is interrupted. */
const liveGroups = new Set<number>();

function killLiveGroups(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  liveGroups.clear();
}

/** Runs a CLI in its own process group; on timeout the whole group is killed. */
function runProcess(file: string, args: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<ProcResult> {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid) liveGroups.add(child.pid);
    let stdout = '';
    let stderr = '';
    const cap = 4 * 1024 * 1024;
    child.stdout!.on('data', (d) => {
      if (stdout.length < cap) stdout += d;
    });
    child.stderr!.on('data', (d) => {
      if (stderr.length < cap) stderr += d;
    });
    let timedOut = false;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 3000).unref();
    }, opts.timeoutMs);
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Helpers a CLI left behind (language servers, shells) go with it.
      killGroup('SIGKILL');
      if (child.pid) liveGroups.delete(child.pid);
      resolvePromise({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    };
    child.on('error', (e) => {
      stderr += `\nspawn error: ${e.message}`;
      finish(null, null);
    });
    child.on('exit', (code, signal) => {
      // Give the pipes a moment to drain; a grandchild holding them open must not hang us.
      const t = setTimeout(() => finish(code, signal), 2000);
      child.once('close', () => {
        clearTimeout(t);
        finish(code, signal);
      });
    });
  });
}

function cleanEnv(binDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    // Never leak real provider credentials or config into a client under test.
    if (/^(ANTHROPIC|CLAUDE|OPENAI|CODEX|GEMINI|GOOGLE|OPENCODE|AZURE|AWS|VERTEX)_/i.test(k)) continue;
    if (/^(npm_|INIT_CWD$)/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = `${binDir}:${process.env.PATH ?? ''}`;
  return env;
}

function summarizeExchanges(xs: Exchange[]): string[] {
  return xs.map((x, i) => {
    const head = `client→${x.method} ${x.url} ⇒ ${x.status ?? 'no response'} (${x.responseBody.length} B${x.ms !== undefined ? `, ${x.ms} ms` : ''})${x.error ? ` [${x.error}]` : ''}`;
    const bad = x.status === undefined || x.status >= 400;
    return bad ? `  #${i + 1} ${head}\n      body: ${snippet(x.responseBody, 800)}` : `  #${i + 1} ${head}`;
  });
}

function summarizeUpstream(rs: RecordedRequest[]): string[] {
  return rs.map((r, i) => `  #${i + 1} gateway→upstream ${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query as Record<string, string>)}` : ''} step=${r.step}${r.aborted ? ' (aborted by the gateway)' : ''} (${r.body.length} B)`);
}

class Runner {
  private key = '';
  private seq = 0;
  readonly stamp = new Date().toISOString().replace(/[:.]/g, '-');
  readonly artifacts = join(root, '.test-artifacts', 'clients', this.stamp);
  readonly tmp = mkdtempSync(join(tmpdir(), 'oe-clients-'));

  constructor(
    private opts: Options,
    private binDir: string,
    private upstream: FakeUpstream,
    private gw: RunningGateway | null,
  ) {}

  async init(): Promise<void> {
    if (!this.gw) return;
    const k = await this.gw.admin('POST', '/keys', { name: `clients-${this.stamp}` });
    if (k.status !== 201 || typeof k.json?.key !== 'string') throw new Error(`POST /keys failed: ${k.status} ${JSON.stringify(k.json)}`);
    this.key = k.json.key;
  }

  /** Creates channel + group for one scenario on the gateway; returns the group name. */
  private async gatewayGroup(protocol: WireProtocol, scenarioBase: string, name: string): Promise<string> {
    const gw = this.gw!;
    const ch = await gw.admin('POST', '/channels', {
      name: `ch-${name}`, type: protocol, baseUrl: channelBase(protocol, scenarioBase), keys: [`sk-upstream-${name}`],
    });
    if (ch.status !== 201) throw new Error(`POST /channels (${protocol}) failed: ${ch.status} ${JSON.stringify(ch.json)}`);
    const g = await gw.admin('POST', '/groups', { name, members: [{ channelId: ch.json.id, upstreamModel: UPSTREAM_MODEL[protocol] }] });
    if (g.status !== 201) throw new Error(`POST /groups failed: ${g.status} ${JSON.stringify(g.json)}`);
    return name;
  }

  async run(task: Task): Promise<Outcome> {
    const started = Date.now();
    const { client, turn, route } = task;
    const label = `${client.id}-${turn}-${route}`;
    const out = (pass: boolean, reason: string, details: string[] = []): Outcome => ({ task, pass, reason, details, ms: Date.now() - started });
    if (route !== 'direct' && !this.gw) return out(false, 'gateway unusable (see above)');

    const channel: WireProtocol = route === 'direct' ? client.protocol : route;
    const marker = `oe${randomBytes(5).toString('hex')}`;
    const command = `echo ${marker}`;
    const finalText = `Tool check complete: DONE-${marker}`;
    const call = { kind: 'tool' as const, name: client.tool.name, args: client.tool.args(command) };
    const finalReply = streamReply(channel, { kind: 'text', text: finalText }, UPSTREAM_MODEL[channel]);
    let signed: SignedThinking | undefined;
    let steps: Behavior[];
    if (turn === 'text') steps = [{ stream: TEXT[channel].stream, json: TEXT[channel].json }];
    else if (turn === 'tool') steps = [streamReply(channel, call, UPSTREAM_MODEL[channel]), finalReply];
    else {
      if (channel !== 'anthropic') return out(false, `harness error: the thinking turn needs an anthropic channel, not ${channel}`);
      const first = recordedThinkingThenTool(SIGNED_THINKING_TURN.recording, SIGNED_THINKING_TURN.events, call);
      signed = first.thinking;
      steps = [first.behavior, finalReply];
    }
    const expectText = turn === 'text' ? TEXT[channel].expect : `DONE-${marker}`;
    const scenario = this.upstream.addScenario({ steps });
    const auxScenario = this.upstream.addScenario({ steps: [streamReply(channel, { kind: 'text', text: 'Echo check' }, UPSTREAM_MODEL[channel])] });

    let tap: Tap | null = null;
    const dir = mkdtempSync(join(this.tmp, `${label}-`));
    const home = join(dir, 'home');
    const work = join(dir, 'work');
    mkdirSync(home, { recursive: true });
    mkdirSync(work, { recursive: true });
    try {
      let main: Endpoint;
      let aux: Endpoint;
      if (route === 'direct') {
        tap = await startTap(this.upstream.url);
        const rel = (base: string) => `${tap!.url}${new URL(base).pathname}`;
        main = { root: rel(scenario.baseUrl), apiKey: 'sk-direct-test', model: `${client.id}-${turn}` };
        aux = { root: rel(auxScenario.baseUrl), apiKey: 'sk-direct-test', model: `${client.id}-${turn}-aux` };
      } else {
        const n = ++this.seq;
        const group = await this.gatewayGroup(channel, scenario.baseUrl, `${client.id}-${turn}-${channel}-${n}`);
        const auxGroup = await this.gatewayGroup(channel, auxScenario.baseUrl, `${client.id}-${turn}-${channel}-${n}-aux`);
        tap = await startTap(this.gw!.url);
        main = { root: tap.url, apiKey: this.key, model: group };
        aux = { root: tap.url, apiKey: this.key, model: auxGroup };
      }
      const inv = client.prepare({ home, work, turn, main, aux });
      // PWD too: opencode takes its project directory from $PWD, which would otherwise be this repository.
      const env = { ...cleanEnv(this.binDir), PWD: work, ...inv.env };
      const proc = await runProcess(join(this.binDir, client.bin), inv.args, { cwd: work, env, timeoutMs: this.opts.timeoutMs });
      if (this.opts.verbose) {
        console.log(`\n--- ${label}: exit ${proc.code} in ${proc.ms} ms\n[stdout]\n${plain(proc.stdout)}\n[stderr]\n${tail(proc.stderr, 40)}`);
      }
      const ups = this.upstream.requests(scenario.id);
      const evidence = (): string[] => [
        `command: ${client.bin} ${inv.args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`,
        `exit: ${proc.timedOut ? `killed after ${this.opts.timeoutMs / 1000} s timeout` : `code ${proc.code}${proc.signal ? ` signal ${proc.signal}` : ''}`} (${proc.ms} ms)`,
        `stdout (tail):\n${indent(tail(proc.stdout, 12) || '(empty)')}`,
        `stderr (tail):\n${indent(tail(proc.stderr, 12) || '(empty)')}`,
        `client requests (${tap!.exchanges.length}):\n${summarizeExchanges(tap!.exchanges).join('\n') || '  (none)'}`,
        ...(route === 'direct' ? [] : [`upstream requests (${ups.length}):\n${summarizeUpstream(ups).join('\n') || '  (none)'}`]),
      ];
      const failed = (reason: string): Outcome => {
        const o = out(false, reason, evidence());
        o.artifacts = this.saveArtifacts(label, proc, tap!.exchanges, ups, o);
        return o;
      };

      const wrongPath = ups.find((r) => !UPSTREAM_PATH[channel].test(r.path));
      if (wrongPath) return failed(`upstream got ${wrongPath.method} ${wrongPath.path}, not a ${channel} endpoint`);
      if (turn !== 'text') {
        // The tool turn's replies are hand-written SSE: they only fit a streaming upstream request.
        const nonStream = ups.find((r) =>
          channel === 'gemini' ? !(r.path.endsWith(':streamGenerateContent') && r.query.alt === 'sse') : (r.json as { stream?: unknown } | null)?.stream !== true);
        if (nonStream) {
          return failed(`upstream request #${ups.indexOf(nonStream) + 1} (${nonStream.path}${channel === 'gemini' ? ` alt=${String(nonStream.query.alt ?? '')}` : ''}) is not a streaming ${channel} request; the client streamed`);
        }
      }
      if (proc.timedOut) return failed(`timed out after ${this.opts.timeoutMs / 1000} s${ups.length ? ` (upstream saw ${ups.length} request(s))` : ''}`);
      const badClient = tap.exchanges.find((x) => x.status === undefined || x.status >= 400);
      if (proc.code !== 0) {
        return failed(`exit code ${proc.code}${badClient ? `; client got ${badClient.status ?? 'no response'} on ${badClient.method} ${badClient.url}: ${snippet(badClient.responseBody || badClient.error || '', 200)}` : ''}`);
      }
      const printed = plain(proc.stdout);
      let thinkingSeen = '';
      if (turn !== 'text') {
        if (ups.length < 2) {
          const tools = ups[0] ? declaredTools(channel, ups[0].json) : [];
          const why = ups[0] && !tools.includes(client.tool.name)
            ? `; upstream request #1 does not declare tool ${client.tool.name} (declares: ${tools.slice(0, 20).join(', ') || 'none'})`
            : '';
          const relayed = tap.exchanges.some((x) => x.responseBody.includes(marker))
            ? '; the reply the client received did carry the tool call'
            : ups.length ? '; the reply the client received never carried the tool call (marker absent from every response body)' : '';
          return failed(`the CLI never sent the tool result back (upstream saw ${ups.length} request(s))${why}${relayed}`);
        }
        const tools = declaredTools(channel, ups[0]!.json);
        if (!tools.includes(client.tool.name)) {
          return failed(`upstream request #1 does not declare tool ${client.tool.name} (declares: ${tools.slice(0, 20).join(', ') || 'none'})`);
        }
        const problem = checkToolResult(channel, ups[1]!.json, client.tool.name, marker);
        if (problem) return failed(problem);
        if (signed) {
          const thinking = checkSignedThinking(ups[0]!.json, ups[1]!.json, signed);
          if (typeof thinking === 'string') return failed(thinking);
          thinkingSeen = `; upstream request #2: thinking ${JSON.stringify(thinking.config)}, assistant turn opens with ${JSON.stringify(thinking.block)}`;
        }
      } else if (ups.length < 1) {
        return failed('no request reached the upstream');
      }
      if (!printed.includes(expectText)) {
        return failed(`final text ${JSON.stringify(expectText)} not printed on stdout`);
      }
      const extra = ups.length > (turn === 'text' ? 1 : 2) ? `, ${ups.length} upstream requests` : '';
      const ok = out(true, `${(proc.ms / 1000).toFixed(1)} s${extra}${thinkingSeen}`);
      if (this.opts.saveAll) ok.artifacts = this.saveArtifacts(label, proc, tap.exchanges, ups, ok);
      return ok;
    } catch (e) {
      return out(false, `harness error: ${(e as Error).message}`);
    } finally {
      await tap?.close();
      this.upstream.removeScenario(auxScenario.id);
      if (!this.opts.keep) rmSync(dir, { recursive: true, force: true });
    }
  }

  private saveArtifacts(label: string, proc: ProcResult, xs: Exchange[], ups: RecordedRequest[], o: Outcome): string {
    const d = join(this.artifacts, label);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'stdout.txt'), proc.stdout);
    writeFileSync(join(d, 'stderr.txt'), proc.stderr);
    writeFileSync(join(d, 'client-exchanges.json'), JSON.stringify(xs, null, 2));
    writeFileSync(join(d, 'upstream-requests.json'), JSON.stringify(ups, null, 2));
    writeFileSync(join(d, 'summary.txt'), `${o.reason}\n\n${o.details.join('\n')}\n`);
    return d;
  }

  /** Makes every gateway run fail fast (the gateway is unusable). */
  disableGateway(): void {
    this.gw = null;
  }

  cleanup(): void {
    if (!this.opts.keep) rmSync(this.tmp, { recursive: true, force: true });
  }
}

function indent(s: string, pad = '    '): string {
  return s.split('\n').map((l) => pad + l).join('\n');
}

/** Runs `fn` over `items` with at most `n` in flight, starting them in order. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}

/** Slowest CLIs first, so the run is not left waiting on one long tail. */
const START_ORDER: Record<string, number> = { opencode: 0, 'gemini-cli': 1, 'claude-code': 2, codex: 3 };

/** The turns a CLI's rows show: text and tool, and thinking when it names channels for it. */
function turnsOf(c: ClientSpec): Turn[] {
  return c.thinkingChannels?.length ? ['text', 'tool', 'thinking'] : ['text', 'tool'];
}

function printMatrix(outcomes: Outcome[], clients: ClientSpec[], routes: Route[]): void {
  const cols = routes.map((r) => (r === 'direct' ? 'direct (no gateway)' : `→ ${r}`));
  const rowLabel = (c: ClientSpec, t: Turn) => `${c.id} (${c.protocol}) ${t}`;
  const rows = clients.flatMap((c) => turnsOf(c).map((t) => ({ c, t })));
  const w0 = Math.max(...rows.map(({ c, t }) => rowLabel(c, t).length), 10);
  const cell = (o: Outcome | undefined) => (!o ? '·' : o.pass ? 'pass' : 'FAIL');
  const widths = cols.map((h) => Math.max(h.length, 4));
  console.log(`\n${'CLI × turn'.padEnd(w0)} | ${cols.map((h, i) => h.padEnd(widths[i]!)).join(' | ')}`);
  console.log(`${'-'.repeat(w0)}-+-${widths.map((w) => '-'.repeat(w)).join('-+-')}`);
  for (const { c, t } of rows) {
    const cells = routes.map((r, i) => {
      const o = outcomes.find((x) => x.task.client === c && x.task.turn === t && x.task.route === r);
      return cell(o).padEnd(widths[i]!);
    });
    console.log(`${rowLabel(c, t).padEnd(w0)} | ${cells.join(' | ')}`);
  }
  console.log('(· = not run: a gateway column equal to the CLI\'s own protocol is skipped unless --same; the thinking turn runs only through the channels its CLI names)');
}

export async function main(argv: string[]): Promise<number> {
  const t0 = Date.now();
  const opts = parseOptions(argv);
  const log = (s: string) => console.log(`[test:clients] ${s}`);

  let binDir = join(opts.clientsDir, 'node_modules', '.bin');
  if (opts.install) {
    try {
      const ins = await ensureClients(opts.clientsDir, CLIENTS, log);
      binDir = ins.binDir;
      log(ins.installed ? `installed the CLIs in ${(ins.ms / 1000).toFixed(1)} s` : `CLIs already installed in ${opts.clientsDir}`);
    } catch (e) {
      console.error(`[test:clients] installing the CLIs failed:\n${indent(tail((e as Error).message, 40))}`);
      console.log(`\n0 passed, 1 failed`);
      return 1;
    }
  }

  const tasks: Task[] = [];
  for (const client of opts.clients) {
    for (const route of opts.routes) {
      if (route !== 'direct' && route === client.protocol && !opts.same) continue;
      for (const turn of ['text', 'tool'] as Turn[]) tasks.push({ client, turn, route });
      if (route !== 'direct' && client.thinkingChannels?.includes(route)) tasks.push({ client, turn: 'thinking', route });
    }
  }
  const needGateway = tasks.some((t) => t.route !== 'direct');

  const upstream = await startFakeUpstream({ host: '127.0.0.1' });
  let gw: RunningGateway | null = null;
  let gwError: string | null = null;
  let runner: Runner | null = null;
  const stopAll = async () => {
    await gw?.stop().catch(() => undefined);
    await upstream.close().catch(() => undefined);
  };
  const onSignal = () => {
    killLiveGroups();
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (needGateway) {
      const g0 = Date.now();
      log('starting the gateway (scripts/dev.mjs → wrangler dev)…');
      for (let attempt = 1; ; attempt++) {
        try {
          gw = await startGateway();
          log(`gateway up at ${gw.url} in ${((Date.now() - g0) / 1000).toFixed(1)} s`);
          break;
        } catch (e) {
          const msg = (e as Error).message;
          // wrangler probes a free inspector port (9229+) and binds it later: another wrangler starting at
          // the same moment can take it first. That race is not the gateway's fault; try again.
          if (/Address already in use/.test(msg) && attempt < 3) {
            log(`gateway start lost a port race (attempt ${attempt}); retrying`);
            await new Promise((ok) => setTimeout(ok, 1000 + Math.random() * 3000));
            continue;
          }
          gwError = tail(msg, 30);
          log(`gateway did not start; every gateway cell fails:\n${indent(gwError)}`);
          break;
        }
      }
    }
    runner = new Runner(opts, binDir, upstream, gw);
    const setupError = await runner.init().then(() => null, (e: Error) => e.message);
    if (setupError) {
      gwError = `the gateway started but its admin API failed: ${setupError}`;
      log(gwError);
      runner.disableGateway();
    }
    log(`${tasks.length} runs (timeout ${opts.timeoutMs / 1000} s each, ${opts.concurrency} at a time)`);
    const r = runner;
    const ordered = [...tasks].sort((a, b) => (START_ORDER[a.client.id] ?? 9) - (START_ORDER[b.client.id] ?? 9));
    const outcomes = await pool(ordered, opts.concurrency, async (t) => {
      const o = await r.run(t);
      log(`${o.pass ? 'pass' : 'FAIL'}  ${t.client.id} ${t.turn} ${t.route === 'direct' ? 'direct' : `→ ${t.route}`}: ${o.reason}`);
      return o;
    });

    printMatrix(outcomes, opts.clients, opts.routes);
    const failures = outcomes.filter((o) => !o.pass);
    if (failures.length) {
      console.log('\nFailures:');
      if (gwError) console.log(`\nthe gateway is unusable (startGateway() from worker/test/e2e/harness.ts):\n${indent(gwError)}`);
      for (const f of failures) {
        const { client, turn, route } = f.task;
        let hint = '';
        if (route !== 'direct') {
          const base = outcomes.find((o) => o.task.client === client && o.task.turn === turn && o.task.route === 'direct');
          hint = base ? (base.pass ? '  [direct baseline passed → gateway side]' : '  [direct baseline failed too → CLI setup or hand-written reply]') : '';
        }
        console.log(`\n✗ ${client.id} ${turn} ${route === 'direct' ? 'direct (no gateway)' : `via gateway → ${route} channel`}: ${f.reason}${hint}`);
        for (const d of f.details) console.log(indent(d, '  '));
        if (f.artifacts) console.log(`  artifacts: ${f.artifacts}`);
      }
    }
    if (gw) {
      mkdirSync(runner.artifacts, { recursive: true });
      writeFileSync(join(runner.artifacts, 'gateway.log'), gw.output());
      if (failures.some((f) => f.task.route !== 'direct')) console.log(`\ngateway output: ${join(runner.artifacts, 'gateway.log')}`);
    }
    const passed = outcomes.length - failures.length;
    console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`${passed} passed, ${failures.length} failed`);
    return failures.length ? 1 : 0;
  } finally {
    runner?.cleanup();
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
