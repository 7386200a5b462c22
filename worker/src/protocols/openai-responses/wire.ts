/**
 * Small shared pieces of the OpenAI Responses wire format (OpenAI API reference, "Responses":
 * the Response object, its `usage`, output items; `tools` of type `namespace` and `custom`).
 * Everything here is pure and never throws.
 */
import type { FinishReason, ProtocolName, Usage } from '../canonical';
import { RequestDecodeError, totalInput } from '../canonical';

/** This protocol's name: the owner of the `encrypted_content` slot and of its Opaque values. */
export const PROTOCOL: ProtocolName = 'openai-responses';

/** A JSON object as read from or written to the wire. */
export type Json = Record<string, unknown>;

/** A request-decoding failure naming the field: `<param>: expected <what>`. */
export function invalid(param: string, expected: string): never {
  throw new RequestDecodeError(`${param}: expected ${expected}`, param);
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` when it is a string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `v` when it is a finite number, else undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Parses JSON text, undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A random id with the Responses prefix convention (`resp_`, `msg_`, `rs_`, `fc_`, `ctc_`). */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, '')}`;
}

// ---------------------------------------------------------------------------------------------
// Usage (API reference, Response object › usage): `input_tokens` counts cached tokens too
// (`input_tokens_details.cached_tokens` is a part of it); `output_tokens` includes
// `output_tokens_details.reasoning_tokens`. Responses has no cache-write counter.
// ---------------------------------------------------------------------------------------------

/** Canonical usage from a Responses `usage` object; undefined when there is none. */
export function decodeUsage(u: unknown): Usage | undefined {
  if (!isRecord(u)) return undefined;
  const inputTotal = num(u.input_tokens) ?? 0;
  const cached = num(isRecord(u.input_tokens_details) ? u.input_tokens_details.cached_tokens : undefined) ?? 0;
  const output = num(u.output_tokens) ?? 0;
  const reasoning = num(isRecord(u.output_tokens_details) ? u.output_tokens_details.reasoning_tokens : undefined) ?? 0;
  return { input: Math.max(0, inputTotal - cached), cacheRead: cached, cacheWrite: 0, output, reasoning };
}

/** The Responses `usage` object for canonical usage (cache writes count as plain input tokens). */
export function encodeUsage(u: Usage): Json {
  const input = totalInput(u);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cacheRead },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: input + u.output,
  };
}

// ---------------------------------------------------------------------------------------------
// Status ⇄ finish reason (API reference, Response object › status, incomplete_details.reason).
// ---------------------------------------------------------------------------------------------

/** Finish reason of a Response from its status, incomplete reason and whether it called tools. */
export function finishOf(status: unknown, incompleteReason: unknown, calledTools: boolean, refused = false): FinishReason {
  switch (status) {
    case 'incomplete':
      return incompleteReason === 'content_filter' ? 'content_filter' : 'length';
    case 'failed':
    case 'cancelled':
      return 'error';
    default:
      if (calledTools) return 'tool_calls';
      return refused ? 'refusal' : 'stop';
  }
}

/** Response `status` and `incomplete_details` for a canonical finish reason. */
export function statusOf(reason: FinishReason | undefined): { status: 'completed' | 'incomplete' | 'failed'; incomplete: Json | null } {
  switch (reason) {
    case 'length':
      return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
    case 'content_filter':
      return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
    case 'error':
      return { status: 'failed', incomplete: null };
    default:
      return { status: 'completed', incomplete: null };
  }
}

// ---------------------------------------------------------------------------------------------
// Namespaced tools (API reference, tools › namespace: `{type:'namespace', name, description,
// tools:[function|custom]}`; a call to one carries `namespace` next to `name`). The canonical form
// has no namespace, so such a tool is flattened to one name; the request keeps a side table
// (NAMESPACES_FIELD) so calls can be given back to the client with `namespace` + `name`.
// ---------------------------------------------------------------------------------------------

/** Private key of `extensions.fields`: flat tool name → {namespace, name}. Never sent upstream. */
export const NAMESPACES_FIELD = '__responses_namespaces';

export type NamespaceTable = Record<string, { namespace: string; name: string }>;

/** Private key of `extensions.fields`: built-in tools (web_search, file_search, …) for a same-protocol upstream. */
export const BUILTIN_TOOLS_FIELD = '__responses_builtin_tools';

/** Flat canonical name of a namespaced tool (`__` as Codex uses for `mcp__server__tool`). */
export function flatToolName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}__${name}` : name;
}

/** The namespace table kept in a request's extensions (empty when the client sent none). */
export function namespaceTable(fields: Record<string, unknown>): NamespaceTable {
  const t = fields[NAMESPACES_FIELD];
  return isRecord(t) ? (t as NamespaceTable) : {};
}

// ---------------------------------------------------------------------------------------------
// Custom (free-text) tools (API reference, tools › custom; output item `custom_tool_call` with
// `input`). Canonical tool arguments are JSON, so the free text travels as `{"input": "<text>"}`
// and other providers see a function with one string parameter `input`.
// ---------------------------------------------------------------------------------------------

/** Canonical JSON arguments for a custom tool's free-text input. */
export function wrapCustomInput(input: string): string {
  return JSON.stringify({ input });
}

/** The free text inside canonical custom-tool arguments (the raw text when they are not `{"input": string}`). */
export function unwrapCustomInput(args: string): string {
  const v = parseJson(args);
  return isRecord(v) && typeof v.input === 'string' ? v.input : args;
}

/** JSON-string-escaped text without the quotes, for streaming a string value piece by piece. */
export function escapeJsonFragment(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** Parameters schema shown to non-Responses providers for a custom tool. */
export function customToolParameters(format: unknown): Record<string, unknown> {
  let description = 'Free-form text input for the tool.';
  if (isRecord(format) && format.type === 'grammar' && typeof format.definition === 'string') {
    description += ` It must match this ${str(format.syntax) ?? ''} grammar:\n${format.definition}`;
  }
  return {
    type: 'object',
    properties: { input: { type: 'string', description } },
    required: ['input'],
    additionalProperties: false,
  };
}

/**
 * Anthropic `redacted_thinking` data has no Responses form; it travels in a reasoning item's
 * `encrypted_content` as an envelope whose item id is this marker, so it comes back as redacted
 * reasoning rather than as a signature.
 */
export const REDACTED_MARK = 'redacted_reasoning';
