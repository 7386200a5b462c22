/**
 * Same-protocol fidelity. Anthropic requests carry things the canonical form has no place for:
 * server tools (`web_search_20250305`, `bash_20250124`, …), per-tool fields (`defer_loading`,
 * `eager_input_streaming`, `input_examples`), blocks such as `server_tool_use`,
 * `web_search_tool_result`, `document`, `search_result`, `tool_reference` inside a tool result,
 * `cache_control` on a `tool_use`, and mid-conversation `role: "system"` messages (SDK 1.14.0
 * `SystemMessageParam`). A foreign upstream cannot use them, but an Anthropic upstream should get
 * them back unchanged, so the decoder records them here, under one reserved key of
 * `extensions.fields`, with their position in the canonical request; `encodeRequest` puts them
 * back (and never sends the key itself) when the request came from an Anthropic client.
 *
 * Positions are canonical indexes as decoded. If the conversation was edited since (the message or
 * system count differs), message-level entries are not re-inserted rather than misplaced.
 */
import type { CanonicalRequest, ReasoningConfig } from '../canonical';
import { isRecord, type Json } from './wire';

/** Reserved `extensions.fields` key (not an Anthropic field name: it never reaches the wire). */
export const KEPT_FIELD = '~anthropic';

/** What the decoder kept for an Anthropic upstream. */
export interface Kept {
  /** Canonical message count when decoded. */
  messageCount: number;
  /** Canonical system part count when decoded. */
  systemCount: number;
  /** Canonical system parts from this index on came from `role: "system"` messages (kept in place in `messages`). */
  movedSystemFrom?: number;
  /** Raw messages to insert before canonical message `at`: system messages, messages with no canonical content. */
  messages: Array<{ at: number; message: unknown }>;
  /** Fields of canonical message `at` other than role and content (e.g. a per-turn `output_config`). */
  messageFields?: Array<{ at: number; fields: Json }>;
  /** Raw blocks with no canonical form, to insert before part `part` of canonical message `at`. */
  blocks: Array<{ at: number; part: number; block: unknown }>;
  /** Raw blocks to send instead of re-encoding part `part` of message `at` (they had fields canonical drops). */
  raw: Array<{ at: number; part: number; type: string; block: unknown }>;
  /** Server tools to insert before canonical tool `at`. */
  tools: Array<{ at: number; tool: unknown }>;
  /** Extra fields of custom tools, by tool name. */
  toolFields: Record<string, Json>;
  /** The client's `thinking` object (null: none sent) and the canonical reasoning decoded with it (JSON), to restore it unchanged. */
  thinking?: { raw: unknown; decoded: string };
  /** The client's `output_config.effort` (e.g. `max`, which canonical effort cannot express). */
  effort?: unknown;
  /** `output_config` fields other than `effort` and `format`. */
  outputConfig?: Json;
}

export function emptyKept(): Kept {
  return { messageCount: 0, systemCount: 0, messages: [], blocks: [], raw: [], tools: [], toolFields: {} };
}

/** The snapshot of a reasoning config used to tell whether the gateway changed it. */
export function reasoningSnapshot(r: ReasoningConfig | undefined): string {
  return JSON.stringify(r ?? null);
}

/** The kept record of a request from an Anthropic client, else undefined (other protocols never use it). */
export function keptOf(req: CanonicalRequest): Kept | undefined {
  if (req.extensions.protocol !== 'anthropic') return undefined;
  const k = req.extensions.fields[KEPT_FIELD];
  return isRecord(k) && Array.isArray(k.messages) ? (k as unknown as Kept) : undefined;
}

/** True when message-level entries still line up with the request's messages and system parts. */
export function keptAligned(kept: Kept, req: CanonicalRequest): boolean {
  return kept.messageCount === req.messages.length && kept.systemCount === req.system.length;
}
