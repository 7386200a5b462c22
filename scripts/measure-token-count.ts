/**
 * How far the gateway's local token count (relay/count-local.ts) is from the providers' own counts,
 * on every real request/response pair in shared/fixtures: the request body, and the input tokens the
 * provider reported for it (Anthropic `usage.input_tokens`, Gemini `usageMetadata.promptTokenCount`).
 * Prints one line per pair for each counter (gpt-tokenizer o200k_base and cl100k_base, characters / 4)
 * and the error of each. Run: `npx tsx scripts/measure-token-count.ts`. Reads files only.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import * as cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import { characterEstimate, countPromptTokens, type TokenCounter } from '../worker/src/relay/count-local';
import { decodeCountRequest, type CountCall } from '../worker/src/relay/count-tokens';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

/** The single-quoted YAML scalars after `body: ` in a VCR cassette, unfolded (YAML 1.2 §7.3.2). */
function cassetteBodies(yaml: string): string[] {
  const out: string[] = [];
  const re = /^ {4}body: '((?:[^']|'')*)'/gms;
  for (const m of yaml.matchAll(re)) out.push(m[1]!.replace(/\n\s*/g, ' ').replace(/''/g, "'"));
  return out;
}

/** The first `promptTokenCount` of a recorded Gemini reply (its first chunk's, for a stream). */
function promptTokens(text: string): number {
  return Number(/"promptTokenCount":\s*(\d+)/.exec(text)![1]);
}

interface Pair {
  name: string;
  call: CountCall;
  body: Record<string, unknown>;
  actual: number;
}

const toolsCassette = cassetteBodies(read('gemini/llmgemini__test_tools_with_gemini_3_thought_signatures.yaml'));
const pairs: Pair[] = [
  {
    name: 'anthropic/axonhub__anthropic-tool (Claude Sonnet 4, 3 tools)',
    call: { protocol: 'anthropic' },
    body: JSON.parse(read('anthropic/axonhub__anthropic-tool.request.json')),
    actual: JSON.parse(read('anthropic/axonhub__anthropic-tool.response.json')).usage.input_tokens,
  },
  {
    name: 'gemini/llmgemini__test_prompt (gemini-flash-latest)',
    call: { protocol: 'gemini', model: 'gemini-flash-latest' },
    body: JSON.parse(cassetteBodies(read('gemini/llmgemini__test_prompt.yaml'))[0]!),
    actual: promptTokens(read('gemini/extracted/llmgemini__test_prompt.resp0.jsonarray')),
  },
  {
    name: 'gemini/llmgemini__test_tools #0 (gemini-3-flash-preview, 1 tool)',
    call: { protocol: 'gemini', model: 'gemini-3-flash-preview' },
    body: JSON.parse(toolsCassette[0]!),
    actual: promptTokens(read('gemini/extracted/llmgemini__test_tools_with_gemini_3_thought_signatures.resp0.jsonarray')),
  },
  {
    name: 'gemini/llmgemini__test_tools #1 (gemini-3-flash-preview, tool call + result)',
    call: { protocol: 'gemini', model: 'gemini-3-flash-preview' },
    body: JSON.parse(toolsCassette[1]!),
    actual: promptTokens(read('gemini/extracted/llmgemini__test_tools_with_gemini_3_thought_signatures.resp1.jsonarray')),
  },
];

const plain = { disallowedSpecial: new Set<string>() };
const counters: TokenCounter[] = [
  { name: 'gpt-tokenizer o200k_base', count: (t) => o200k.countTokens(t, plain) },
  { name: 'gpt-tokenizer cl100k_base', count: (t) => cl100k.countTokens(t, plain) },
  characterEstimate,
];

for (const counter of counters) {
  console.log(`\n${counter.name}`);
  const errors: number[] = [];
  for (const p of pairs) {
    const req = decodeCountRequest(p.call, p.body);
    const counted = countPromptTokens(req, p.call.protocol as 'anthropic' | 'gemini', counter);
    const error = (counted - p.actual) / p.actual;
    errors.push(Math.abs(error));
    console.log(`  ${p.name}: provider ${p.actual}, counted ${counted} (${error >= 0 ? '+' : ''}${(error * 100).toFixed(1)}%)`);
  }
  console.log(`  mean |error| ${(errors.reduce((a, b) => a + b, 0) / errors.length * 100).toFixed(1)}%, worst ${(Math.max(...errors) * 100).toFixed(1)}%`);
}
