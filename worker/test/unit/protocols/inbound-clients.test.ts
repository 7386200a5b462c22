/**
 * Every real client request in ../shared/fixtures/clients (Claude Code, Codex, Gemini CLI,
 * opencode, SDKs) decodes in its protocol and re-encodes into a valid request for every channel
 * type; the conversation's substance (turns, tool calls, tool results, tools) survives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, ProtocolName } from '../../../src/protocols/canonical';
import { codecFor } from '../../../src/protocols/index';
import { fixturesDir } from '../../upstream/recordings';
import { PROVIDER_RULES } from './provider-rules';

const TARGETS: ProtocolName[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

interface Capture { path: string; query: Record<string, string>; body: unknown; method: string }

function protocolOf(path: string): { protocol: ProtocolName; model?: string; stream?: boolean } | null {
  if (path.endsWith('/chat/completions')) return { protocol: 'openai-chat' };
  if (path.endsWith('/responses')) return { protocol: 'openai-responses' };
  if (path.endsWith('/messages')) return { protocol: 'anthropic' };
  const g = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (g) return { protocol: 'gemini', model: g[1], stream: g[2] === 'streamGenerateContent' };
  return null;
}

const dir = `${fixturesDir()}/clients`;
const captures: { file: string; cap: Capture }[] = [];
for (const client of readdirSync(dir, { withFileTypes: true })) {
  if (!client.isDirectory()) continue;
  for (const f of readdirSync(`${dir}/${client.name}`)) {
    if (!f.endsWith('.json') || f.includes('external-connect')) continue;
    const cap = JSON.parse(readFileSync(`${dir}/${client.name}/${f}`, 'utf8')) as Capture;
    if (cap.method === 'POST' && cap.body && protocolOf(cap.path)) captures.push({ file: `${client.name}/${f}`, cap });
  }
}

/** Counts that must survive a conversion. */
function substance(req: CanonicalRequest) {
  const parts = req.messages.flatMap((m) => m.parts);
  return {
    turns: req.messages.length,
    toolCalls: parts.filter((p) => p.type === 'tool_call').map((p) => (p as { name: string }).name),
    toolResults: parts.filter((p) => p.type === 'tool_result').length,
    tools: req.tools.map((t) => t.name),
    text: parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('').length,
  };
}

describe('real client requests', () => {
  it('has fixtures of every client', () => {
    expect(captures.length).toBeGreaterThan(40);
  });

  for (const { file, cap } of captures) {
    const inbound = protocolOf(cap.path)!;
    describe(file, () => {
      const req = codecFor(inbound.protocol).decodeRequest(cap.body, { model: inbound.model, stream: inbound.stream });
      it('decodes', () => {
        expect(req.model.length).toBeGreaterThan(0);
        expect(req.messages.length).toBeGreaterThan(0);
      });
      for (const target of TARGETS) {
        it(`encodes a valid ${target} request that keeps the conversation`, () => {
          const body = codecFor(target).encodeRequest(req, 'upstream-model');
          expect(PROVIDER_RULES[target](body)).toEqual([]);
          // Decoding what we sent gives back the same conversation substance.
          const again = codecFor(target).decodeRequest(body, { model: 'upstream-model', stream: req.stream });
          const a = substance(req);
          const b = substance(again);
          expect(b.toolCalls).toEqual(a.toolCalls);
          expect(b.toolResults).toBe(a.toolResults);
          expect(b.tools.filter((n) => a.tools.includes(n))).toEqual(b.tools);
          expect(b.text).toBeGreaterThanOrEqual(Math.floor(a.text * 0.99));
        });
      }
    });
  }
});

describe('blank text from any client (issue 13 item 9)', () => {
  // What chat UIs and agents leave in a history: an assistant turn of spaces beside a tool call, an
  // empty system message, a blank line typed by the user.
  const bodies: Array<[ProtocolName, unknown]> = [
    ['openai-chat', { model: 'g', messages: [
      { role: 'system', content: '' },
      { role: 'user', content: 'list files' },
      { role: 'assistant', content: '   ', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'ls', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: ' ' },
      { role: 'assistant', content: '  \n' },
      { role: 'user', content: [{ type: 'text', text: '\t' }, { type: 'text', text: 'and now?' }] },
    ], tools: [{ type: 'function', function: { name: 'ls', parameters: { type: 'object', properties: {} } } }] }],
    ['openai-responses', { model: 'g', instructions: ' ', input: [
      { role: 'user', content: 'hi' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: '   ' }] },
      { role: 'user', content: 'again' },
    ] }],
    ['gemini', { contents: [
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ text: '   ' }] },
      { role: 'user', parts: [{ text: 'again' }] },
    ], systemInstruction: { parts: [{ text: ' ' }] } }],
  ];
  for (const [inbound, body] of bodies) {
    const req = codecFor(inbound).decodeRequest(body, { model: 'g' });
    for (const target of TARGETS) {
      it(`${inbound} → ${target}: a request the provider accepts`, () => {
        expect(PROVIDER_RULES[target](codecFor(target).encodeRequest(req, 'upstream-model'))).toEqual([]);
      });
    }
  }
});
