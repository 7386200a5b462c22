/**
 * Anthropic thinking through an OpenAI Chat client. Chat has no slot for a signed thinking block,
 * so a Chat client replays a tool-calling turn with only `content` and `tool_calls`; Anthropic
 * then needs thinking turned off (anthropic/request-encode.ts settleThinking), and the model loses
 * its reasoning. Instead the gateway remembers the turn's signed reasoning in the group's holder
 * (routing/reasoning-memory.ts), keyed by the tool call ids it issued:
 * - remember: the answer of an Anthropic channel to a Chat client, when it calls tools and carries
 *   signed thinking or redacted thinking (`turnOfResponse`, `TurnReasoningCollector` for streams),
 *   handed to `GroupStates.finish` (off the critical path);
 * - recall: a Chat request whose last assistant turn has tool calls and no Anthropic-signed
 *   reasoning sends those ids with the plan (`recallIds`, one call as before); the plan brings
 *   the parts back, and only an Anthropic channel's request gets them (`withRecalled`). Another
 *   provider never sees them.
 *
 * The same memory carries a Gemini text part's `thoughtSignature` through an Anthropic client,
 * whose text blocks have no slot for it: the answer's text signatures are remembered under a key
 * made of the answer's text (`textKey`), and a Gemini channel's request whose last assistant turn
 * replays that text gets them back on its text (`textRecallIds`, `withRecalledTextSignatures`).
 */
import { channelSpeaks } from '../routing/endpoints';
import type { CanonicalRequest, CanonicalResponse, Message, Opaque, Part, ProtocolName, ReasoningPart, ServerToolPart, StreamEvent, TextPart } from '../protocols/canonical';
import type { Route } from '../db/types';
import type { ReasoningTurn } from '../routing/reasoning-memory';

/** A reasoning part Anthropic issued (a thinking block with its signature, or redacted thinking). */
function anthropicSigned(p: Part | ServerToolPart): p is ReasoningPart {
  return p.type === 'reasoning' && (p.signature?.provider === 'anthropic' || p.redacted?.provider === 'anthropic');
}

function lastAssistant(messages: Message[]): Message | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'assistant') return messages[i];
  return undefined;
}

/**
 * The tool call ids of an OpenAI Chat request's last assistant turn, when that turn has tool
 * calls and no Anthropic-signed reasoning (the client could not carry it); else undefined.
 */
export function recallIds(req: CanonicalRequest): string[] | undefined {
  if (req.extensions.protocol !== 'openai-chat') return undefined;
  const turn = lastAssistant(req.messages);
  if (!turn || turn.parts.some(anthropicSigned)) return undefined;
  const ids = turn.parts.flatMap((p) => (p.type === 'tool_call' ? [p.id] : []));
  return ids.length > 0 ? ids : undefined;
}

/**
 * `req` with the recalled reasoning at the head of its last assistant turn, where Anthropic puts
 * thinking blocks; unsigned reasoning the client sent there (e.g. `reasoning_content` text, which
 * Anthropic cannot take) gives way to it. Only for an Anthropic channel.
 */
export function withRecalled(req: CanonicalRequest, parts: ReasoningPart[]): CanonicalRequest {
  const turn = lastAssistant(req.messages);
  if (!turn || parts.length === 0) return req;
  const restored: Message = { role: 'assistant', parts: [...parts, ...turn.parts.filter((p) => p.type !== 'reasoning')] };
  return { ...req, messages: req.messages.map((m) => (m === turn ? restored : m)) };
}

/** The turn to remember from a whole answer to client key `owner`: its tool call ids and Anthropic-signed reasoning, if it has both. */
export function turnOfResponse(res: CanonicalResponse, owner: number): ReasoningTurn | undefined {
  const toolCallIds = res.content.flatMap((p) => (p.type === 'tool_call' ? [p.id] : []));
  const parts = res.content.filter(anthropicSigned).map((p) => ({ ...p }));
  return toolCallIds.length > 0 && parts.length > 0 ? { owner, toolCallIds, parts } : undefined;
}

/** Builds the turn to remember from a converted stream's canonical events, as they go by. */
export class TurnReasoningCollector {
  private readonly reasoning = new Map<number, ReasoningPart>();
  private readonly toolCallIds: string[] = [];
  /** Text blocks by index: their text and (Gemini) signature, for `textTurn`. */
  private readonly texts = new Map<number, { text: string; signature?: Opaque }>();

  push(events: readonly StreamEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'block_start') {
        if (ev.block.type === 'reasoning') this.reasoning.set(ev.index, { type: 'reasoning', text: '' });
        else if (ev.block.type === 'tool_call') this.toolCallIds.push(ev.block.id);
        else if (ev.block.type === 'text') this.texts.set(ev.index, { text: '' });
      } else if (ev.type === 'text_delta') {
        const t = this.texts.get(ev.index);
        if (t) t.text += ev.text;
      } else if (ev.type === 'reasoning_delta') {
        const r = this.reasoning.get(ev.index);
        if (r) r.text += ev.text;
      } else if (ev.type === 'signature') {
        const r = this.reasoning.get(ev.index);
        if (r) r.signature = ev.signature;
        const t = this.texts.get(ev.index);
        if (t) t.signature = ev.signature;
      } else if (ev.type === 'redacted_reasoning') {
        const r = this.reasoning.get(ev.index) ?? { type: 'reasoning', text: '' };
        r.redacted = ev.data;
        this.reasoning.set(ev.index, r);
      }
    }
  }

  /** The text signatures seen so far (answered to client key `owner`), keyed by the answer's text; see `textTurn`. */
  textTurn(owner: number): ReasoningTurn | undefined {
    const blocks = [...this.texts.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
    return textTurn(blocks, owner);
  }

  /** The turn seen so far (answered to client key `owner`), when it called tools and carried Anthropic-signed reasoning. */
  turn(owner: number): ReasoningTurn | undefined {
    const parts = [...this.reasoning.entries()].sort(([a], [b]) => a - b).map(([, p]) => p).filter(anthropicSigned);
    return this.toolCallIds.length > 0 && parts.length > 0 ? { owner, toolCallIds: [...this.toolCallIds], parts } : undefined;
  }
}

/** Whether an answer of a `channel` channel to a `client` client is remembered: Anthropic to OpenAI Chat. */
export function remembersReasoning(client: ProtocolName, channel: ProtocolName): boolean {
  return client === 'openai-chat' && channel === 'anthropic';
}

/** Whether the group can send the request to an Anthropic channel (else nothing is worth recalling). */
export function routeHasAnthropic(route: Route): boolean {
  return route.group.members.some((m) => m.enabled && speaks(route, m.channelId, 'anthropic'));
}

/**
 * The memory key of an answer's text: `txt:` + two 32-bit FNV-1a-style hashes of the text (different
 * seeds and multipliers, with Math.imul: it runs on every Anthropic-client request to a group with
 * a Gemini member, over the whole replayed text, so no BigInt) in hex + its length.
 * Not a secret and not a proof: it only finds the signatures of a text the same client key replays
 * (recall also checks the owner), and a collision would at worst send a signature Gemini refuses.
 */
export function textKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `txt:${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}:${text.length}`;
}

/** The text signatures of an answer's text blocks, remembered under `textKey` of their joined text (Gemini, signed text). */
function textTurn(blocks: Array<{ text: string; signature?: Opaque }>, owner: number): ReasoningTurn | undefined {
  const signatures = blocks.flatMap((b) => (b.signature?.provider === 'gemini' ? [b.signature] : []));
  const text = blocks.map((b) => b.text).join('');
  if (signatures.length === 0 || text === '') return undefined;
  return { owner, toolCallIds: [textKey(text)], parts: signatures.map((signature) => ({ type: 'reasoning', text: '', signature })) };
}

/** Whether an answer of a `channel` channel to a `client` client has text signatures to remember: Gemini to Anthropic. */
export function remembersTextSignatures(client: ProtocolName, channel: ProtocolName): boolean {
  return client === 'anthropic' && channel === 'gemini';
}

/** The text-signature turn of a whole answer to client key `owner` (see `textKey`). */
export function textTurnOfResponse(res: CanonicalResponse, owner: number): ReasoningTurn | undefined {
  return textTurn(res.content.flatMap((p) => (p.type === 'text' ? [{ text: p.text, signature: p.signature }] : [])), owner);
}

/**
 * The recall key of an Anthropic client request whose last assistant turn has text and no signed
 * text part (the client could not carry one): `[textKey(its text)]`; else undefined.
 */
export function textRecallIds(req: CanonicalRequest): string[] | undefined {
  if (req.extensions.protocol !== 'anthropic') return undefined;
  const turn = lastAssistant(req.messages);
  if (!turn) return undefined;
  const texts = turn.parts.filter((p): p is TextPart => p.type === 'text');
  if (texts.length === 0 || texts.some((t) => t.signature)) return undefined;
  const text = texts.map((t) => t.text).join('');
  return text === '' ? undefined : [textKey(text)];
}

/**
 * `req` with recalled text signatures back on the last assistant turn's text parts: one signature
 * goes on the last text part (where Gemini puts it); as many as there are text parts go one each,
 * in order; any other count is left out. Only for a Gemini channel.
 */
export function withRecalledTextSignatures(req: CanonicalRequest, parts: ReasoningPart[]): CanonicalRequest {
  const turn = lastAssistant(req.messages);
  const signatures = parts.flatMap((p) => (p.signature?.provider === 'gemini' ? [p.signature] : []));
  if (!turn || signatures.length === 0) return req;
  const textIndexes = turn.parts.flatMap((p, i) => (p.type === 'text' ? [i] : []));
  const assign = new Map<number, Opaque>();
  if (signatures.length === 1) assign.set(textIndexes[textIndexes.length - 1]!, signatures[0]!);
  else if (signatures.length === textIndexes.length) textIndexes.forEach((i, n) => assign.set(i, signatures[n]!));
  else return req;
  const restored: Message = { role: 'assistant', parts: turn.parts.map((p, i) => (assign.has(i) && p.type === 'text' ? { ...p, signature: assign.get(i)! } : p)) };
  return { ...req, messages: req.messages.map((m) => (m === turn ? restored : m)) };
}

/** Whether the group has an enabled member on a channel with an endpoint of `type`. */
export function routeHasType(route: Route, type: ProtocolName): boolean {
  return route.group.members.some((m) => m.enabled && speaks(route, m.channelId, type));
}

/** Whether the channel exists and one of its endpoints (routing/endpoints.ts) speaks `type`. */
function speaks(route: Route, channelId: number, type: ProtocolName): boolean {
  const ch = route.channels.get(channelId);
  return ch !== undefined && channelSpeaks(ch, type);
}
