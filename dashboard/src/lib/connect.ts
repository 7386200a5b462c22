/**
 * What a client needs to call the gateway: copyable snippets for the SDKs, curl and the coding
 * agents, filled in with a base URL, a client key and a group. The same text as README's "Point an
 * SDK at it" (worker/test/unit/connect-snippets.test.ts fails when they drift apart), which the
 * real-client harness and the SDK end-to-end tests keep honest in CI.
 *
 * Base URL forms (README "Point an SDK at it"): OpenAI clients take it with `/v1`; Anthropic and
 * Google clients without (they add `/v1` or `/v1beta` themselves).
 */

/** One copyable snippet. */
export interface ConnectSnippet {
  /** Stable id (tab key and test id). */
  id: string;
  /** Tab label, e.g. `Claude Code`. */
  label: string;
  /** `js`, `sh`, `toml` or `json`: what the code is. */
  lang: 'js' | 'sh' | 'toml' | 'json';
  /** Where it goes when it is a file (`~/.codex/config.toml`), else undefined. */
  file?: string;
  /** One line on what it is for or what to watch out for. */
  note: string;
  code: string;
}

/** A snippet group: the SDKs and curl, or one coding agent (an agent may need a file and a shell part). */
export interface ConnectTarget {
  id: string;
  label: string;
  /** `sdk` or `agent`: how the panel groups its tabs. */
  kind: 'sdk' | 'agent';
  snippets: ConnectSnippet[];
}

/** The gateway's root as a client must write it: no trailing slash. */
export function gatewayRoot(origin: string): string {
  return origin.replace(/\/+$/, '');
}

/**
 * Every target with its snippets for `root` (e.g. `https://gw.example.workers.dev`), `key`
 * (`sk-oe-…`) and `group` (the model name clients send). Pure; never throws.
 */
export function connectTargets(root: string, key: string, group: string): ConnectTarget[] {
  const base = gatewayRoot(root);
  const q = (s: string) => JSON.stringify(s).slice(1, -1); // inside '…' in JS: the same escapes
  const js = (s: string) => `'${q(s).replace(/'/g, "\\'")}'`;
  const sh = (s: string) => (/^[\w@%+=:,./…-]+$/u.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const json = (s: string) => JSON.stringify(s);
  return [
    {
      id: 'openai', label: 'OpenAI SDK', kind: 'sdk',
      snippets: [{
        id: 'openai', label: 'OpenAI SDK', lang: 'js', note: 'Base URL with /v1.',
        code: `import OpenAI from 'openai';
const client = new OpenAI({ apiKey: ${js(key)}, baseURL: ${js(`${base}/v1`)} });
const stream = await client.chat.completions.create({ model: ${js(group)}, stream: true, messages: [{ role: 'user', content: 'Hello' }] });
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');`,
      }],
    },
    {
      id: 'anthropic', label: 'Anthropic SDK', kind: 'sdk',
      snippets: [{
        id: 'anthropic', label: 'Anthropic SDK', lang: 'js', note: 'Base URL without /v1: the SDK adds it.',
        code: `import Anthropic from '@anthropic-ai/sdk';
const client = new Anthropic({ apiKey: ${js(key)}, baseURL: ${js(base)} }); // no /v1
const msg = await client.messages.create({ model: ${js(group)}, max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] });`,
      }],
    },
    {
      id: 'google', label: 'Google GenAI SDK', kind: 'sdk',
      snippets: [{
        id: 'google', label: 'Google GenAI SDK', lang: 'js', note: 'httpOptions.baseUrl without /v1beta: the SDK adds it.',
        code: `import { GoogleGenAI } from '@google/genai';
const ai = new GoogleGenAI({ apiKey: ${js(key)}, httpOptions: { baseUrl: ${js(base)} } }); // no /v1beta
const res = await ai.models.generateContent({ model: ${js(group)}, contents: 'Hello' });`,
      }],
    },
    {
      id: 'curl', label: 'curl', kind: 'sdk',
      snippets: [{
        id: 'curl', label: 'curl', lang: 'sh', note: 'One request in each protocol the gateway speaks.',
        code: `GW=${sh(base)}
curl $GW/v1/chat/completions -H ${sh(`authorization: Bearer ${key}`)} -H 'content-type: application/json' \\
  -d ${sh(`{"model":${json(group)},"stream":true,"messages":[{"role":"user","content":"Hello"}]}`)}
curl $GW/v1/messages -H ${sh(`x-api-key: ${key}`)} -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\
  -d ${sh(`{"model":${json(group)},"max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]}`)}
curl "$GW/v1beta/models/${encodeURIComponent(group)}:generateContent" -H ${sh(`x-goog-api-key: ${key}`)} -H 'content-type: application/json' \\
  -d '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}'`,
      }],
    },
    {
      id: 'claude-code', label: 'Claude Code', kind: 'agent',
      snippets: [{
        id: 'claude-code', label: 'Claude Code', lang: 'sh', note: 'Every model Claude Code picks by itself must be a group too; here all are this group.',
        code: `export ANTHROPIC_BASE_URL=${sh(base)} ANTHROPIC_API_KEY=${sh(key)}
# every model Claude Code picks by itself (background tasks, haiku/sonnet/opus) must be a group too
export ANTHROPIC_MODEL=${sh(group)} ANTHROPIC_SMALL_FAST_MODEL=${sh(group)} ANTHROPIC_DEFAULT_HAIKU_MODEL=${sh(group)} \\
  ANTHROPIC_DEFAULT_SONNET_MODEL=${sh(group)} ANTHROPIC_DEFAULT_OPUS_MODEL=${sh(group)}
claude --model ${sh(group)}`,
      }],
    },
    {
      id: 'codex', label: 'Codex', kind: 'agent',
      snippets: [
        {
          id: 'codex-config', label: 'config.toml', lang: 'toml', file: '~/.codex/config.toml', note: 'Or $CODEX_HOME/config.toml. OpenAI Responses wire API.',
          code: `model = ${json(group)}
model_provider = "octopus"

[model_providers.octopus]
name = "octopus-edge"
base_url = ${json(`${base}/v1`)}
env_key = "OCTOPUS_API_KEY"
wire_api = "responses"`,
        },
        {
          id: 'codex-env', label: 'shell', lang: 'sh', note: 'The key, in the variable config.toml names.',
          code: `export OCTOPUS_API_KEY=${sh(key)}
codex`,
        },
      ],
    },
    {
      id: 'gemini-cli', label: 'Gemini CLI', kind: 'agent',
      snippets: [
        {
          id: 'gemini-settings', label: 'settings.json', lang: 'json', file: '~/.gemini/settings.json', note: 'API-key auth, so the CLI uses the key below.',
          code: `{ "security": { "auth": { "selectedType": "gemini-api-key" } } }`,
        },
        {
          id: 'gemini-env', label: 'shell', lang: 'sh', note: 'Base URL without /v1beta. An explicit model also skips the model router\u2019s extra request.',
          code: `export GEMINI_API_KEY=${sh(key)} GOOGLE_GEMINI_BASE_URL=${sh(base)}
gemini -m ${sh(group)}   # an explicit model also skips the model router's extra classifier request`,
        },
      ],
    },
    {
      id: 'opencode', label: 'opencode', kind: 'agent',
      snippets: [{
        id: 'opencode', label: 'opencode.json', lang: 'json', file: '~/.config/opencode/opencode.json', note: 'Or the file named by OPENCODE_CONFIG. OpenAI Chat wire API.',
        code: `{
  "$schema": "https://opencode.ai/config.json",
  "provider": {
    "octopus": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "octopus-edge",
      "options": { "baseURL": ${json(`${base}/v1`)}, "apiKey": ${json(key)} },
      "models": { ${json(group)}: { "name": ${json(group)} } }
    }
  },
  "model": ${json(`octopus/${group}`)},
  "small_model": ${json(`octopus/${group}`)}
}`,
      }],
    },
  ];
}
