/**
 * Whole (non-stream) Anthropic Messages responses (Anthropic API reference, "Messages" → response
 * `Message`: `{id, type: "message", role, model, content, stop_reason, stop_sequence, usage}`).
 */
import type { CanonicalRequest, CanonicalResponse, ReasoningPart, ServerToolPart, TextPart, ToolCallPart } from '../canonical';
import { opaqueFromSlot, opaqueToSlot, packToolCallId } from '../opaque';
import { applyResult, citationsFromWire, citationToWire, isServerToolResult, serverToolBlocks, serverToolFromWire, splitByCitations } from './citations';
import { toolInput } from './encode-blocks';
import { finishFromStopReason, isRecord, messageId, stopReasonFromFinish, usageFromWire, usageToWire, type Json } from './wire';

type OutputPart = CanonicalResponse['content'][number];

/** One response content block → a canonical part; server tool results and unknown types have none. */
function decodeContentBlock(b: unknown): OutputPart | undefined {
  if (!isRecord(b)) return undefined;
  switch (b.type) {
    case 'text': {
      if (typeof b.text !== 'string' || b.text === '') return undefined;
      const citations = citationsFromWire(b.citations);
      return { type: 'text', text: b.text, ...(citations.length > 0 && { citations }) };
    }
    case 'server_tool_use':
      return serverToolFromWire(b);
    case 'thinking': {
      const text = typeof b.thinking === 'string' ? b.thinking : '';
      const sig = typeof b.signature === 'string' ? b.signature : '';
      if (text === '' && sig === '') return undefined;
      return { type: 'reasoning', text, ...(sig !== '' && { signature: opaqueFromSlot(sig, 'anthropic') }) };
    }
    case 'redacted_thinking':
      return typeof b.data === 'string' ? { type: 'reasoning', text: '', redacted: opaqueFromSlot(b.data, 'anthropic') } : undefined;
    case 'tool_use': {
      if (typeof b.id !== 'string' || typeof b.name !== 'string') return undefined;
      const args = b.input === undefined || b.input === null ? '{}' : JSON.stringify(b.input);
      return { type: 'tool_call', id: b.id, name: b.name, arguments: args };
    }
    default:
      return undefined;
  }
}

/**
 * Decodes an upstream Message body.
 * @throws Error when the body is not a Message (e.g. an error body, or not JSON object at all).
 */
export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.content) || (body.type !== undefined && body.type !== 'message')) {
    throw new Error('Anthropic response is not a Message object');
  }
  const content = body.content.map(decodeContentBlock).filter((p): p is OutputPart => p !== undefined);
  // A server tool's result block names its call: the pages it found or the output it printed join that part.
  for (const b of body.content) {
    if (!isRecord(b) || !isServerToolResult(b)) continue;
    const call = content.find((p): p is ServerToolPart => p.type === 'server_tool' && p.id === b.tool_use_id);
    if (call) applyResult(call, b);
  }
  return {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    finishReason: finishFromStopReason(body.stop_reason),
    usage: usageFromWire(body.usage),
    created: Math.floor(Date.now() / 1000),
  };
}

/**
 * A canonical part → response content blocks for an Anthropic client (opaque data in Anthropic's
 * slots). A text part's signature (Gemini) is dropped: Anthropic text blocks have no slot, and a
 * thinking block carrying it after the text made Claude Code print nothing (`claude -p` prints the
 * final block's text; found by the real-client run). Gemini accepts the next turn without it.
 */
function encodeContentBlocks(p: OutputPart): Json[] {
  if (p.type === 'server_tool') return serverToolBlocks(p);
  if (p.type !== 'text') return [encodeContentBlock(p)];
  // Anthropic cites whole text blocks: each cited span becomes a block of its own.
  return p.text === '' ? [] : splitByCitations(p.text, p.citations ?? []).map((b) => ({
    type: 'text', text: b.text, ...(b.citations.length > 0 && { citations: b.citations.map(citationToWire) }),
  }));
}

function encodeContentBlock(p: ReasoningPart | ToolCallPart): Json {
  switch (p.type) {
    case 'reasoning':
      if (p.redacted) return { type: 'redacted_thinking', data: opaqueToSlot(p.redacted, 'anthropic') };
      return { type: 'thinking', thinking: p.text, signature: p.signature ? opaqueToSlot(p.signature, 'anthropic') : '' };
    case 'tool_call':
      // Anthropic tool_use has no signature slot: a (Gemini) signature rides in the id.
      return { type: 'tool_use', id: packToolCallId(p.id, p.signature), name: p.name, input: toolInput(p.arguments) };
  }
}

/** The Message body for an Anthropic client; `model` is the one the client asked for. */
export function encodeResponse(res: CanonicalResponse, req: CanonicalRequest): Json {
  return {
    id: messageId(res.id),
    type: 'message',
    role: 'assistant',
    model: req.model,
    content: res.content.flatMap(encodeContentBlocks),
    stop_reason: stopReasonFromFinish(res.finishReason),
    stop_sequence: null,
    usage: usageToWire(res.usage),
  };
}
