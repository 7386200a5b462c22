/**
 * Canonical messages → Anthropic `messages` that the API accepts (Anthropic API reference,
 * "Messages"; docs "How tool use works" / "Handle tool calls"):
 * - user and assistant turns alternate (consecutive same-role turns are merged), starting with user;
 * - in a user turn, `tool_result` blocks come first;
 * - every `tool_use` has a `tool_result` in the next user turn, and every `tool_result` answers a
 *   `tool_use` of the turn before (otherwise: 400 "tool_use ids were found without tool_result
 *   blocks immediately after" / "unexpected tool_use_id found in tool_result blocks");
 * - the final assistant turn does not end with whitespace ("final assistant content cannot end
 *   with trailing whitespace").
 * Blocks kept from an Anthropic client (see kept.ts) are put back in place.
 */
import type { CanonicalRequest, Message } from '../canonical';
import { encodePart, restoreRawBlock } from './encode-blocks';
import type { Kept } from './kept';
import { isRecord, type Json } from './wire';

/**
 * An Anthropic message param. `system` only for mid-conversation system messages kept from an
 * Anthropic client; other fields (per-turn `output_config`, …) only on messages kept from one.
 */
export interface WireMessage {
  role: 'user' | 'assistant' | 'system';
  content: Json[] | string;
  [field: string]: unknown;
}

/**
 * Text of the user turn put before a conversation that opens with an assistant turn (a chatbot's
 * greeting from another protocol): Anthropic requires the first message to be a user message.
 */
export const OPENING_USER_TEXT = '.';

/** Text sent in place of a tool result the conversation lacks (so the request stays valid). */
export const MISSING_RESULT_TEXT = 'No result was recorded for this tool call.';

function keptMessage(raw: unknown): WireMessage | undefined {
  if (!isRecord(raw) || (raw.role !== 'user' && raw.role !== 'assistant' && raw.role !== 'system')) return undefined;
  if (typeof raw.content === 'string') return { ...raw, role: raw.role, content: raw.content };
  return Array.isArray(raw.content) ? { ...raw, role: raw.role, content: structuredClone(raw.content.filter(isRecord)) } : undefined;
}

/** Kept entries looked up by position (`at:part`), built once per request. */
interface KeptIndex {
  blocks: Map<string, Json[]>;
  raw: Map<string, Kept['raw'][number]>;
  fields: Map<number, Json>;
  messages: Map<number, WireMessage[]>;
}

function indexKept(kept: Kept | undefined, systemInPlace: boolean): KeptIndex {
  const index: KeptIndex = { blocks: new Map(), raw: new Map(), fields: new Map(), messages: new Map() };
  for (const b of kept?.blocks ?? []) {
    if (!isRecord(b.block)) continue;
    const key = `${b.at}:${b.part}`;
    index.blocks.set(key, [...(index.blocks.get(key) ?? []), b.block]);
  }
  for (const r of kept?.raw ?? []) index.raw.set(`${r.at}:${r.part}`, r);
  for (const f of kept?.messageFields ?? []) index.fields.set(f.at, f.fields);
  for (const m of kept?.messages ?? []) {
    const msg = keptMessage(m.message);
    if (msg && (systemInPlace || msg.role !== 'system')) index.messages.set(m.at, [...(index.messages.get(m.at) ?? []), msg]);
  }
  return index;
}

function encodeMessage(msg: Message, at: number, kept: KeptIndex): WireMessage {
  const content: Json[] = [];
  // Copies: the encoded body may be edited (cache breakpoints) and kept data must stay as the client sent it.
  const heldAt = (part: number) => (kept.blocks.get(`${at}:${part}`) ?? []).map((b) => structuredClone(b));
  msg.parts.forEach((part, j) => {
    content.push(...heldAt(j));
    const raw = kept.raw.get(`${at}:${j}`);
    const block = raw && raw.type === part.type ? restoreRawBlock(raw.block, part) : encodePart(part);
    if (block) content.push(block);
  });
  content.push(...heldAt(msg.parts.length));
  return { ...kept.fields.get(at), role: msg.role, content };
}

/** Messages in order, with kept messages (mid-conversation system messages, …) re-inserted. */
function collect(req: CanonicalRequest, kept: Kept | undefined, systemInPlace: boolean): WireMessage[] {
  const index = indexKept(kept, systemInPlace);
  const out: WireMessage[] = [];
  req.messages.forEach((msg, i) => {
    out.push(...(index.messages.get(i) ?? []));
    out.push(encodeMessage(msg, i, index));
  });
  out.push(...(index.messages.get(req.messages.length) ?? []));
  return out;
}

const blocksOf = (m: WireMessage): Json[] => (typeof m.content === 'string' ? (m.content === '' ? [] : [{ type: 'text', text: m.content }]) : m.content);

/** Drops empty turns and merges consecutive user (or assistant) turns; system messages stay as they are. */
function mergeTurns(messages: WireMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system') {
      out.push(m);
      continue;
    }
    const blocks = blocksOf(m);
    if (blocks.length === 0) continue;
    const prev = out[out.length - 1];
    if (prev && prev.role === m.role) prev.content = [...blocksOf(prev), ...blocks];
    else out.push({ ...m, content: blocks });
  }
  return out;
}

const toolUseIds = (m: WireMessage | undefined): string[] =>
  m && m.role === 'assistant' ? blocksOf(m).filter((b) => b.type === 'tool_use' && typeof b.id === 'string').map((b) => b.id as string) : [];

/** The text of a tool result's content, for a result that has to travel as plain text. */
function resultText(block: Json): string {
  if (typeof block.content === 'string') return block.content;
  if (!Array.isArray(block.content)) return '';
  return block.content.filter((c) => isRecord(c) && c.type === 'text' && typeof c.text === 'string').map((c) => (c as Json).text as string).join('\n');
}

/** The last user or assistant turn (mid-conversation system messages do not count). */
function lastTurn(messages: WireMessage[]): WireMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role !== 'system') return messages[i];
  return undefined;
}

const missingResult = (id: string): Json => ({ type: 'tool_result', tool_use_id: id, content: MISSING_RESULT_TEXT, is_error: true });

/**
 * Puts tool results first in their turn, turns results that answer no tool_use of the turn before
 * into text (a trimmed history, a foreign client), and adds an error result for every tool_use
 * left unanswered, so Anthropic accepts the conversation. A final assistant turn (a prefill) is
 * left as it is.
 */
function pairToolResults(messages: WireMessage[]): WireMessage[] {
  const out: WireMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system') {
      out.push(m);
      continue;
    }
    const expected = toolUseIds(lastTurn(out));
    if (m.role === 'assistant') {
      if (expected.length > 0) out.push({ role: 'user', content: expected.map(missingResult) });
      out.push(m);
      continue;
    }
    const results: Json[] = [];
    const others: Json[] = [];
    for (const b of blocksOf(m)) {
      if (b.type !== 'tool_result') others.push(b);
      else if (expected.includes(b.tool_use_id as string) && !results.some((r) => r.tool_use_id === b.tool_use_id)) results.push(b);
      else {
        const text = resultText(b);
        if (text !== '') others.push({ type: 'text', text: `Result of tool call ${String(b.tool_use_id)}:\n${text}` });
      }
    }
    const answered = new Set(results.map((b) => b.tool_use_id));
    for (const id of expected) if (!answered.has(id)) results.push(missingResult(id));
    const content = [...results, ...others];
    if (content.length > 0) out.push({ ...m, content });
  }
  return out;
}

/** Trims trailing whitespace off a final assistant turn (a prefill), dropping what becomes empty. */
function trimFinalAssistant(messages: WireMessage[]): WireMessage[] {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'assistant' || typeof last.content === 'string') return messages;
  const content = [...last.content];
  const tail = content[content.length - 1];
  if (tail && tail.type === 'text' && typeof tail.text === 'string') {
    const text = tail.text.trimEnd();
    if (text === '') content.pop();
    else content[content.length - 1] = { ...tail, text };
  }
  return content.length > 0 ? [...messages.slice(0, -1), { ...last, content }] : messages.slice(0, -1);
}

/**
 * The `messages` array for an Anthropic upstream. `kept` only for a request from an Anthropic
 * client; `systemInPlace`: put its mid-conversation system messages back where they were.
 */
export function encodeMessages(req: CanonicalRequest, kept: Kept | undefined, systemInPlace = false): WireMessage[] {
  const messages = pairToolResults(mergeTurns(collect(req, kept, systemInPlace)));
  if (messages[0]?.role === 'assistant') messages.unshift({ role: 'user', content: [{ type: 'text', text: OPENING_USER_TEXT }] });
  return trimFinalAssistant(messages);
}

/**
 * Placement rules of mid-conversation system messages (docs "Mid-conversation system messages"):
 * not first; right after a user turn or an assistant turn ending in server tool use; last, or
 * followed by an assistant turn; never next to another system message.
 */
export function systemPlacementValid(messages: WireMessage[]): boolean {
  return messages.every((m, i) => {
    if (m.role !== 'system') return true;
    const prev = messages[i - 1];
    const next = messages[i + 1];
    const prevOk = prev !== undefined && (prev.role === 'user' || (prev.role === 'assistant' && blocksOf(prev).at(-1)?.type === 'server_tool_use'));
    return prevOk && (next === undefined || next.role === 'assistant');
  });
}

/**
 * True when the conversation is in a tool loop (it ends with tool results) whose assistant turn
 * does not open with a thinking block. With manual extended thinking Anthropic rejects that
 * ("When `thinking` is enabled, a final `assistant` message must start with a thinking block").
 */
export function toolTurnLacksThinking(messages: WireMessage[]): boolean {
  const turns = messages.filter((m) => m.role !== 'system');
  const last = turns[turns.length - 1];
  if (!last || last.role !== 'user' || !blocksOf(last).some((b) => b.type === 'tool_result')) return false;
  const assistant = turns[turns.length - 2];
  if (!assistant || assistant.role !== 'assistant') return false;
  const first = blocksOf(assistant)[0];
  return !first || (first.type !== 'thinking' && first.type !== 'redacted_thinking');
}

/** Removes thinking blocks from a final assistant turn (not allowed there when thinking is off). */
export function stripFinalThinking(messages: WireMessage[]): WireMessage[] {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'assistant') return messages;
  const content = blocksOf(last).filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
  return content.length > 0 ? [...messages.slice(0, -1), { ...last, content }] : messages.slice(0, -1);
}
