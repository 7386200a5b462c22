/**
 * The four coding-agent CLIs under test: how each is installed, which protocol it speaks, which
 * shell tool it exposes to the model, and how it is pointed at a base URL with its config and
 * home folders kept in a throwaway directory. Invocations mirror the `_capture.how` lines of
 * shared/fixtures/clients (the real requests recorded from these versions).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WireProtocol } from '../upstream/server.js';

/**
 * What a run asks of the CLI: `text` (a plain answer), `tool` (one call of its shell tool, then a
 * final answer), `thinking` (the tool turn with reasoning requested, for the CLIs and channels in
 * `thinkingChannels`: the signed thinking of the first answer must reach the upstream again).
 */
export type Turn = 'text' | 'tool' | 'thinking';
export type ClientId = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode';

/** Where a CLI sends its requests. `root` has no API version suffix (e.g. `http://127.0.0.1:8787`). */
export interface Endpoint {
  root: string;
  apiKey: string;
  model: string;
}

export interface PrepareContext {
  /** Fresh folder used as HOME (and XDG dirs / CODEX_HOME / CLAUDE_CONFIG_DIR inside it). */
  home: string;
  /** Fresh working directory (not a git repository). */
  work: string;
  turn: Turn;
  main: Endpoint;
  /** A second model for side requests (opencode's title generation), so they never consume the main scenario's steps. */
  aux: Endpoint;
}

export interface Invocation {
  args: string[];
  env: Record<string, string>;
}

export interface ClientSpec {
  id: ClientId;
  /** Protocol the CLI speaks to its base URL. */
  protocol: WireProtocol;
  /** npm package and pinned version (shared/fixtures/clients/README.md). */
  pkg: string;
  version: string;
  /** Executable name in node_modules/.bin. */
  bin: string;
  /** The `thinking` turn uses the `tool` prompt. */
  prompts: Record<'text' | 'tool', string>;
  /** The CLI's own shell tool as the model must call it. */
  tool: { name: string; args(command: string): Record<string, unknown> };
  /** Gateway channel protocols the `thinking` turn runs through (none when absent). */
  thinkingChannels?: WireProtocol[];
  prepare(ctx: PrepareContext): Invocation;
}

/** The prompt of a turn (`thinking` is a tool turn). */
function prompt(spec: ClientSpec, turn: Turn): string {
  return spec.prompts[turn === 'text' ? 'text' : 'tool'];
}

/** Environment shared by all CLIs: an isolated home and no colours. */
function baseEnv(home: string): Record<string, string> {
  const xdg = {
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true });
  return { HOME: home, USERPROFILE: home, ...xdg, NO_COLOR: '1', FORCE_COLOR: '0', NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
}

const claudeCode: ClientSpec = {
  id: 'claude-code',
  protocol: 'anthropic',
  pkg: '@anthropic-ai/claude-code',
  version: '2.1.332',
  bin: 'claude',
  prompts: { text: 'say hi', tool: 'run echo hi with the Bash tool' },
  tool: { name: 'Bash', args: (command) => ({ command, description: 'Print the marker' }) },
  prepare({ home, turn, main }) {
    const m = main.model;
    return {
      // Root is refused --dangerously-skip-permissions; --allowedTools Bash is what the fixtures used.
      args: ['-p', prompt(this, turn), '--model', m, ...(turn !== 'text' ? ['--allowedTools', 'Bash'] : [])],
      env: {
        ...baseEnv(home),
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: main.root,
        ANTHROPIC_API_KEY: main.apiKey,
        ANTHROPIC_MODEL: m,
        ANTHROPIC_SMALL_FAST_MODEL: m,
        ANTHROPIC_DEFAULT_HAIKU_MODEL: m,
        ANTHROPIC_DEFAULT_SONNET_MODEL: m,
        ANTHROPIC_DEFAULT_OPUS_MODEL: m,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_ERROR_REPORTING: '1',
      },
    };
  },
};

const codex: ClientSpec = {
  id: 'codex',
  protocol: 'openai-responses',
  pkg: '@openai/codex',
  version: '0.171.0',
  bin: 'codex',
  prompts: { text: 'say hi', tool: 'run echo hi' },
  // The fixture codex/tool-01 request declares `exec_command` with a required `cmd` string.
  tool: { name: 'exec_command', args: (cmd) => ({ cmd }) },
  prepare({ home, turn, main }) {
    const codexHome = join(home, '.codex');
    mkdirSync(codexHome, { recursive: true });
    const toml = [
      `model = ${JSON.stringify(main.model)}`,
      'model_provider = "octopus"',
      'check_for_update_on_startup = false',
      '',
      '[model_providers.octopus]',
      'name = "octopus-edge"',
      `base_url = ${JSON.stringify(`${main.root}/v1`)}`,
      'env_key = "OCTOPUS_API_KEY"',
      'wire_api = "responses"',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[feedback]',
      'enabled = false',
      '',
      '[features]',
      'plugins = false',
      '',
    ].join('\n');
    writeFileSync(join(codexHome, 'config.toml'), toml);
    return {
      args: ['exec', '--skip-git-repo-check', '--color', 'never', prompt(this, turn)],
      env: { ...baseEnv(home), CODEX_HOME: codexHome, OCTOPUS_API_KEY: main.apiKey },
    };
  },
};

const geminiCli: ClientSpec = {
  id: 'gemini-cli',
  protocol: 'gemini',
  pkg: '@google/gemini-cli',
  version: '0.61.0',
  bin: 'gemini',
  prompts: { text: 'say hi', tool: 'run echo hi' },
  tool: { name: 'run_shell_command', args: (command) => ({ command, description: 'Print the marker' }) },
  prepare({ home, turn, main }) {
    mkdirSync(join(home, '.gemini'), { recursive: true });
    const settings = {
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      general: { disableAutoUpdate: true, disableUpdateNag: true },
    };
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(settings, null, 2));
    return {
      // An explicit -m skips the model router's extra classifier request (generateContent).
      args: ['-p', prompt(this, turn), '-m', main.model, ...(turn !== 'text' ? ['--yolo'] : [])],
      env: {
        ...baseEnv(home),
        GEMINI_API_KEY: main.apiKey,
        GOOGLE_GEMINI_BASE_URL: main.root,
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
      },
    };
  },
};

const opencode: ClientSpec = {
  id: 'opencode',
  protocol: 'openai-chat',
  pkg: 'opencode-ai',
  version: '1.18.33',
  bin: 'opencode',
  prompts: { text: 'say hi', tool: 'run echo hi' },
  tool: { name: 'bash', args: (command) => ({ command, description: 'Print the marker' }) },
  // As an OpenAI-compatible (Chat) client it cannot carry Anthropic's signed thinking itself.
  thinkingChannels: ['anthropic'],
  prepare({ home, turn, main, aux }) {
    // Model `options` go to the AI SDK provider as provider options: `reasoningEffort` becomes
    // the Chat request's `reasoning_effort`.
    const think = turn === 'thinking' ? { options: { reasoningEffort: 'high' } } : {};
    const provider = (e: Endpoint, name: string, model: object) => ({
      npm: '@ai-sdk/openai-compatible',
      name,
      options: { baseURL: `${e.root}/v1`, apiKey: e.apiKey },
      models: { [e.model]: { name: e.model, ...model } },
    });
    const config = {
      $schema: 'https://opencode.ai/config.json',
      provider: { octopus: provider(main, 'octopus-edge', think), 'octopus-aux': provider(aux, 'octopus-edge (titles)', {}) },
      model: `octopus/${main.model}`,
      // Title generation runs concurrently with the main request: give it its own model/scenario.
      small_model: `octopus-aux/${aux.model}`,
      autoupdate: false,
      share: 'disabled',
      permission: { bash: 'allow' },
    };
    const file = join(home, 'opencode.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    return {
      args: ['run', prompt(this, turn)],
      env: {
        ...baseEnv(home),
        OPENCODE_CONFIG: file,
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        OPENCODE_DISABLE_SHARE: '1',
        OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
        OPENCODE_DISABLE_CLAUDE_CODE: '1',
        OPENCODE_DISABLE_EXTERNAL_SKILLS: '1',
      },
    };
  },
};

export const CLIENTS: ClientSpec[] = [claudeCode, codex, geminiCli, opencode];
