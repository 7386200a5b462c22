/**
 * Reads tool declarations, tool calls and tool results out of a request body in any of the four
 * wire protocols, so a test can tell whether a CLI's tool result survived conversion into the
 * channel's protocol and still points at the call it answers; and whether an Anthropic tool loop's
 * second request carries the first answer's signed thinking with thinking on.
 */
import type { WireProtocol } from '../upstream/server.js';

export interface ToolCall {
  id?: string;
  name: string;
  /** Arguments as text (JSON). */
  args: string;
}

export interface ToolResult {
  /** The call id it answers (Gemini: optional). */
  id?: string;
  /** Gemini names the function it answers. */
  name?: string;
  /** The result content flattened to text. */
  text: string;
}

type J = Record<string, any>;

const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** Text of a content value that may be a string or a list of parts (`{type:"text",text}` etc.). */
function flatten(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((p) => (p && typeof p === 'object' && typeof p.text === 'string' ? p.text : flatten(p))).join('\n');
  return str(v);
}

/** Names of the function tools a request declares. */
export function declaredTools(protocol: WireProtocol, body: unknown): string[] {
  const b = (body ?? {}) as J;
  switch (protocol) {
    case 'anthropic':
      return arr(b.tools).map((t) => t?.name).filter(Boolean);
    case 'openai-chat':
      return arr(b.tools).map((t) => t?.function?.name ?? t?.name).filter(Boolean);
    case 'openai-responses':
      return arr(b.tools).map((t) => t?.name).filter(Boolean);
    case 'gemini':
      return arr(b.tools).flatMap((t) => arr(t?.functionDeclarations ?? t?.function_declarations).map((f) => f?.name)).filter(Boolean);
  }
}

/** Tool calls the request's history carries (assistant turns). */
export function toolCalls(protocol: WireProtocol, body: unknown): ToolCall[] {
  const b = (body ?? {}) as J;
  switch (protocol) {
    case 'anthropic':
      return arr(b.messages).flatMap((m) =>
        arr(m?.content).filter((c) => c?.type === 'tool_use').map((c) => ({ id: c.id, name: c.name, args: str(c.input) })),
      );
    case 'openai-chat':
      return arr(b.messages).flatMap((m) =>
        arr(m?.tool_calls).map((c) => ({ id: c?.id, name: c?.function?.name, args: str(c?.function?.arguments) })),
      );
    case 'openai-responses':
      return arr(b.input)
        .filter((i) => i?.type === 'function_call')
        .map((i) => ({ id: i.call_id, name: i.name, args: str(i.arguments) }));
    case 'gemini':
      return arr(b.contents).flatMap((c) =>
        arr(c?.parts).filter((p) => p?.functionCall).map((p) => ({ id: p.functionCall.id, name: p.functionCall.name, args: str(p.functionCall.args) })),
      );
  }
}

/** Tool results the request carries (user / tool turns). */
export function toolResults(protocol: WireProtocol, body: unknown): ToolResult[] {
  const b = (body ?? {}) as J;
  switch (protocol) {
    case 'anthropic':
      return arr(b.messages).flatMap((m) =>
        arr(m?.content).filter((c) => c?.type === 'tool_result').map((c) => ({ id: c.tool_use_id, text: flatten(c.content) })),
      );
    case 'openai-chat':
      return arr(b.messages)
        .filter((m) => m?.role === 'tool')
        .map((m) => ({ id: m.tool_call_id, text: flatten(m.content) }));
    case 'openai-responses':
      return arr(b.input)
        .filter((i) => i?.type === 'function_call_output')
        .map((i) => ({ id: i.call_id, text: flatten(i.output) }));
    case 'gemini':
      return arr(b.contents).flatMap((c) =>
        arr(c?.parts)
          .filter((p) => p?.functionResponse)
          .map((p) => ({ id: p.functionResponse.id, name: p.functionResponse.name, text: str(p.functionResponse.response) })),
      );
  }
}

/**
 * Checks that `body` (the upstream's second request) carries a tool result containing `output`,
 * answering a call of `toolName`. Returns null when fine, else the reason.
 */
export function checkToolResult(protocol: WireProtocol, body: unknown, toolName: string, output: string): string | null {
  const results = toolResults(protocol, body);
  const calls = toolCalls(protocol, body);
  const hit = results.find((r) => r.text.includes(output));
  if (!hit) {
    if (results.length === 0) {
      return `upstream request #2 carries no ${protocol} tool result (tool calls in it: ${calls.length ? calls.map((c) => c.name).join(', ') : 'none'})`;
    }
    return `upstream request #2 has ${results.length} tool result(s) but none contains "${output}": ${results.map((r) => JSON.stringify(r.text.slice(0, 200))).join(' | ')}`;
  }
  const answered = protocol === 'gemini'
    ? calls.filter((c) => c.name === (hit.name ?? toolName) && (!hit.id || !c.id || c.id === hit.id))
    : calls.filter((c) => c.id !== undefined && c.id === hit.id);
  if (answered.length === 0) {
    return `tool result ${JSON.stringify(hit.id ?? hit.name)} in upstream request #2 answers no tool call in the same request (calls: ${calls.map((c) => `${c.name}#${c.id}`).join(', ') || 'none'})`;
  }
  if (!answered.some((c) => c.name === toolName)) {
    return `tool result answers a call named ${answered.map((c) => c.name).join(', ')}, expected ${toolName}`;
  }
  return null;
}

/** What the upstream's second request carried: its `thinking` config and its assistant turn's first block. */
export interface SignedThinkingSeen {
  config: unknown;
  block: unknown;
}

/** Anthropic `thinking` settings that turn thinking on (Messages API, "Extended thinking"). */
const THINKING_ON = new Set(['enabled', 'adaptive']);

/**
 * Checks two Anthropic request bodies of a tool loop: the first asks for thinking (so the client's
 * reasoning option got through), and the second still has thinking on and its assistant turn (the
 * one holding the tool_use) opens with exactly `signed`, the thinking block of the first answer,
 * which Anthropic verifies against its signature. Returns what the second request carried, or the
 * reason it falls short.
 */
export function checkSignedThinking(first: unknown, second: unknown, signed: { type: 'thinking'; thinking: string; signature: string }): SignedThinkingSeen | string {
  const a = (first ?? {}) as J;
  const b = (second ?? {}) as J;
  if (!THINKING_ON.has(a.thinking?.type)) {
    return `upstream request #1 does not turn thinking on (thinking: ${JSON.stringify(a.thinking)}): the client's reasoning option did not get through`;
  }
  if (!THINKING_ON.has(b.thinking?.type)) return `upstream request #2 has thinking ${JSON.stringify(b.thinking)}, not on`;
  const turn = arr(b.messages).find((m) => m?.role === 'assistant' && arr(m.content).some((c) => c?.type === 'tool_use'));
  if (!turn) return 'upstream request #2 has no assistant turn with a tool_use';
  const head = arr(turn.content)[0];
  const same = head && typeof head === 'object' && Object.keys(head).length === 3
    && head.type === signed.type && head.thinking === signed.thinking && head.signature === signed.signature;
  if (!same) {
    return `upstream request #2's assistant turn does not open with the first answer's signed thinking ${JSON.stringify(signed)}: its blocks are ${JSON.stringify(arr(turn.content)).slice(0, 600)}`;
  }
  return { config: b.thinking, block: head };
}
