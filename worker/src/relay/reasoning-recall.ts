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
 */
import type { CanonicalRequest, CanonicalResponse, Message, Part, ProtocolName, ReasoningPart, ServerToolPart, StreamEvent } from '../protocols/canonical';
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

  push(events: readonly StreamEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'block_start') {
        if (ev.block.type === 'reasoning') this.reasoning.set(ev.index, { type: 'reasoning', text: '' });
        else if (ev.block.type === 'tool_call') this.toolCallIds.push(ev.block.id);
      } else if (ev.type === 'reasoning_delta') {
        const r = this.reasoning.get(ev.index);
        if (r) r.text += ev.text;
      } else if (ev.type === 'signature') {
        const r = this.reasoning.get(ev.index);
        if (r) r.signature = ev.signature;
      } else if (ev.type === 'redacted_reasoning') {
        const r = this.reasoning.get(ev.index) ?? { type: 'reasoning', text: '' };
        r.redacted = ev.data;
        this.reasoning.set(ev.index, r);
      }
    }
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
  return route.group.members.some((m) => m.enabled && route.channels.get(m.channelId)?.type === 'anthropic');
}
