/**
 * The canonical form every protocol decodes to and encodes from (DESIGN.md "Canonical form").
 *
 * Conventions:
 * - Token counts are integers. `Usage.input` excludes cached tokens; `Usage.output` includes
 *   reasoning tokens (`Usage.reasoning` is the part of `output` spent thinking).
 * - Tool call arguments are JSON text (as OpenAI streams them), never parsed objects, so partial
 *   deltas and exact bytes survive; `{}` when a tool takes no arguments.
 * - Opaque provider data (signatures, encrypted reasoning) is carried as `Opaque`, tagged with the
 *   provider that issued it, so it can go back to that provider unchanged whatever protocol the
 *   client speaks (see protocols/opaque.ts for how it travels through a foreign protocol).
 */

/** The four wire protocols, as inbound (client) protocols and as channel types. */
export type ProtocolName = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** Opaque bytes a provider wants back on the next turn. */
export interface Opaque {
  /** Protocol of the provider that issued it. Only that provider may receive it again. */
  provider: ProtocolName;
  /** The value exactly as the provider sent it (Anthropic signature, Gemini thoughtSignature, Responses encrypted_content). */
  value: string;
  /** Provider item id when the provider needs it back too (Responses reasoning item `id`). */
  itemId?: string;
}

/** An image given by URL or inline bytes. */
export type ImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string };

/**
 * A source a span of output text rests on (a web search result). Wire forms: Anthropic text block
 * `citations[]` of type `web_search_result_location`; OpenAI Chat `message.annotations[]` and
 * Responses `output_text.annotations[]` of type `url_citation`; Gemini `groundingMetadata`
 * (`groundingChunks[].web` + `groundingSupports[].segment`).
 */
export interface Citation {
  url: string;
  title?: string;
  /** The source text quoted (Anthropic `cited_text`). */
  citedText?: string;
  /**
   * Span of the owning text part, UTF-16 code units, `[start, end)`. Absent: the whole part
   * (Anthropic cites whole text blocks). Each encoder converts to its own unit.
   */
  start?: number;
  end?: number;
  /** Provider data needed to send the citation back (Anthropic `encrypted_index`). */
  opaque?: Opaque;
}

/**
 * A tool the provider ran itself (web search, code execution): Anthropic `server_tool_use` + its
 * `*_tool_result` block, Responses `web_search_call`, Gemini `groundingMetadata.webSearchQueries`.
 * Output only: the client never answers it.
 */
export interface ServerToolPart {
  type: 'server_tool';
  id: string;
  /** Provider tool name, e.g. `web_search`, `code_execution`. */
  name: string;
  /** JSON text of the input (`{"query": …}` for a search); `{}` when unknown. */
  arguments: string;
  /** Pages the tool found or opened (web search). */
  sources?: Array<{ url: string; title?: string }>;
  /** What the tool printed (code execution: stdout, then stderr). */
  output?: string;
  /** The run failed (code execution: a non-zero exit code or an error result). */
  failed?: boolean;
}

export interface TextPart {
  type: 'text';
  text: string;
  /** Sources of the text (web search citations), in order. */
  citations?: Citation[];
  /** Provider hint passed through where the target understands it (Anthropic `cache_control`). */
  cacheControl?: unknown;
  /** Gemini may sign a text part. */
  signature?: Opaque;
}

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI image detail: auto | low | high. */
  detail?: string;
  cacheControl?: unknown;
}

export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  /** JSON text of the arguments; `{}` when none. */
  arguments: string;
  /** Gemini thoughtSignature attached to a functionCall part. */
  signature?: Opaque;
  /** `custom` for Responses custom (free-text) tools; absent for function tools. */
  kind?: 'function' | 'custom';
}

export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  /** Name of the tool that was called, when known (Gemini needs it in functionResponse). */
  name?: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  cacheControl?: unknown;
}

export interface ReasoningPart {
  type: 'reasoning';
  /** Visible thinking text or summary; may be empty when only an opaque form exists. */
  text: string;
  /** Anthropic thinking signature, Gemini thoughtSignature or Responses encrypted_content. */
  signature?: Opaque;
  /** Anthropic redacted_thinking data (opaque, from Anthropic). */
  redacted?: Opaque;
}

export type Part = TextPart | ImagePart | ToolCallPart | ToolResultPart | ReasoningPart;

/** A turn. Tool results travel as `tool_result` parts of a user turn. */
export interface Message {
  role: 'user' | 'assistant';
  parts: Part[];
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (`{"type":"object","properties":{}}` when the tool takes none). */
  parameters: Record<string, unknown>;
  strict?: boolean;
  kind?: 'function' | 'custom';
  cacheControl?: unknown;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/**
 * A thinking budget (tokens) as an effort, for targets that take only an effort (OpenAI
 * `reasoning.effort`, Anthropic adaptive `output_config.effort`): under 4096 low, under 16384
 * medium, else high — the midpoints between the budgets the encoders give low (2048), medium
 * (8192) and high (24576), so effort → budget → effort is stable. Undefined for no budget.
 */
export function effortForBudget(budget: number | undefined): ReasoningEffort | undefined {
  if (budget === undefined || budget < 0) return undefined;
  return budget < 4096 ? 'low' : budget < 16384 ? 'medium' : 'high';
}

/** Thinking configuration; a target uses whichever of effort or budget it understands. */
export interface ReasoningConfig {
  /** false = explicitly off. */
  enabled: boolean;
  effort?: ReasoningEffort;
  /** Tokens. */
  budgetTokens?: number;
  /** Ask for visible thoughts / summaries when the target supports it. */
  includeThoughts?: boolean;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export interface Sampling {
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  /** Output token cap, tokens. */
  maxTokens?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

export interface CanonicalRequest {
  /** Model as the client sent it (the group name). */
  model: string;
  system: TextPart[];
  messages: Message[];
  tools: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  sampling: Sampling;
  reasoning?: ReasoningConfig;
  responseFormat?: ResponseFormat;
  stream: boolean;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Session hint: Anthropic `metadata.user_id`, OpenAI `user` / `prompt_cache_key`. */
  user?: string;
  /** Fields of the source protocol with no canonical meaning, for a same-protocol upstream. */
  extensions: { protocol: ProtocolName; fields: Record<string, unknown> };
}

/** Why generation ended. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'refusal' | 'pause' | 'error';

export interface Usage {
  /** Input tokens not read from or written to a cache. */
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** All output tokens, reasoning included. */
  output: number;
  /** Reasoning tokens (a part of `output`). */
  reasoning: number;
  /**
   * Web searches the provider ran and bills per call (Anthropic
   * `usage.server_tool_use.web_search_requests`; Responses: one per `web_search_call` item).
   * Absent when none. A count of calls, not tokens.
   */
  webSearchRequests?: number;
}

export function emptyUsage(): Usage {
  return { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 };
}

/** Total input tokens, cached ones included (OpenAI `prompt_tokens`, Gemini `promptTokenCount`). */
export function totalInput(u: Usage): number {
  return u.input + u.cacheRead + u.cacheWrite;
}

export interface CanonicalResponse {
  id: string;
  /** Model as the upstream reported it. */
  model: string;
  /** Assistant output in order: reasoning, text, tool calls and server tools the provider ran. */
  content: Array<TextPart | ToolCallPart | ReasoningPart | ServerToolPart>;
  finishReason: FinishReason;
  usage: Usage;
  /** Seconds since epoch. */
  created: number;
}

/** The kind of content a stream block holds. */
export type BlockKind =
  | { type: 'text' }
  | { type: 'reasoning' }
  | { type: 'tool_call'; id: string; name: string; kind?: 'function' | 'custom' };

/**
 * Stream events. Blocks are numbered by the decoder from 0 in order of their start; every started
 * block gets exactly one `block_end`, before `finish`. `usage` is cumulative: the last one wins.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number }
  | { type: 'block_start'; index: number; block: BlockKind }
  | { type: 'text_delta'; index: number; text: string }
  | { type: 'reasoning_delta'; index: number; text: string }
  /** Opaque data of a reasoning block (signature) or of a signed text/tool block (Gemini). */
  | { type: 'signature'; index: number; signature: Opaque }
  /** A redacted reasoning block's data. */
  | { type: 'redacted_reasoning'; index: number; data: Opaque }
  | { type: 'tool_arguments_delta'; index: number; json: string }
  | { type: 'block_end'; index: number }
  /** A source of text block `index` (sent before or during its text; the span, if any, is in that block's text). */
  | { type: 'citation'; index: number; citation: Citation }
  /** A server tool the provider ran, complete (not a block: clients never answer it). */
  | { type: 'server_tool'; tool: ServerToolPart }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'error'; error: UpstreamErrorInfo };

/** An error reported by an upstream, in the stream or as an HTTP error body. */
export interface UpstreamErrorInfo {
  kind: ErrorKind;
  message: string;
  /** Provider's own code or type, e.g. `rate_limit_error`, `RESOURCE_EXHAUSTED`. */
  code?: string;
  /** Seconds, from Retry-After or a provider retry hint. */
  retryAfterSeconds?: number;
}

/** Broad error class; each protocol maps it to its own error `type` and HTTP status. */
export type ErrorKind =
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'invalid_request'
  | 'request_too_large'
  | 'rate_limit'
  | 'overloaded'
  | 'timeout'
  | 'upstream'
  | 'internal';

/** HTTP status a client should see for an error kind. */
export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  authentication: 401,
  permission: 403,
  not_found: 404,
  invalid_request: 400,
  request_too_large: 413,
  rate_limit: 429,
  overloaded: 529,
  timeout: 504,
  upstream: 502,
  internal: 500,
};

/** Error kind implied by an HTTP status. */
export function kindOfStatus(status: number): ErrorKind {
  switch (status) {
    case 400: case 422: return 'invalid_request';
    case 401: return 'authentication';
    case 402: case 403: return 'permission';
    case 404: return 'not_found';
    case 408: case 504: return 'timeout';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit';
    case 503: case 529: return 'overloaded';
    default: return status >= 500 ? 'upstream' : 'invalid_request';
  }
}

/** An error the gateway itself answers with, before or instead of an upstream reply. */
export interface GatewayError {
  /** HTTP status to send. */
  status: number;
  kind: ErrorKind;
  /** Machine-readable code, e.g. `invalid_api_key`, `model_not_found`, `no_available_channel`. */
  code: string;
  message: string;
  /** Offending request field, dotted path, when there is one. */
  param?: string;
  /** Seconds; sent as the `Retry-After` header. */
  retryAfterSeconds?: number;
  /** Retrying cannot help (a spent budget): sent as `x-should-retry: false`, which the OpenAI and Anthropic SDKs obey. */
  noRetry?: boolean;
}

/** Shorthand constructor. */
export function gatewayError(status: number, kind: ErrorKind, code: string, message: string, extra: Partial<GatewayError> = {}): GatewayError {
  return { status, kind, code, message, ...extra };
}

/** Thrown by request decoders for a malformed client request; becomes a 400 in the client's protocol. */
export class RequestDecodeError extends Error {
  constructor(message: string, readonly param?: string) {
    super(message);
    this.name = 'RequestDecodeError';
  }
}
