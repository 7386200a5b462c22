/**
 * What each protocol folder provides. A codec speaks one wire protocol in both roles:
 * as the client's protocol (decode requests, encode responses/streams/errors/model lists) and as a
 * channel's protocol (encode requests, decode responses/streams/errors, URL and auth).
 */
import type {
  CanonicalRequest, CanonicalResponse, GatewayError, ProtocolName, StreamEvent, UpstreamErrorInfo,
} from './canonical';
import type { SseEvent } from './sse';

/** Turns upstream SSE events into canonical stream events. Stateful: one per upstream response. */
export interface StreamDecoder {
  /** One parsed SSE event in, zero or more canonical events out. Never throws on odd input. */
  push(event: SseEvent): StreamEvent[];
  /** The upstream body ended (cleanly or not): events still owed (e.g. `finish` held back). */
  end(): StreamEvent[];
}

/** Turns canonical stream events into the client's wire text. Stateful: one per client response. */
export interface StreamEncoder {
  /** Wire text for one event ('' when it only changes state). */
  push(event: StreamEvent): string;
  /** End of stream: the protocol's closing markers, exactly once. */
  end(): string;
}

/** A model the client may use (a group), for model-list endpoints. */
export interface ModelInfo {
  id: string;
  /** ms since epoch. */
  created: number;
}

/** Options of a client-side stream encoder. */
export interface StreamEncoderOptions {
  /** Gemini only: `sse` when the client asked `alt=sse`, else the JSON-array stream. */
  geminiAlt?: 'sse' | 'json-array';
}

export interface ProtocolCodec {
  name: ProtocolName;

  // ---- client side ----
  /**
   * Decodes a client request body. `hints.model` carries a model taken from the URL (Gemini);
   * `hints.stream` a streaming flag taken from the URL (Gemini `:streamGenerateContent`).
   * @throws RequestDecodeError for a malformed request (becomes a 400 naming the field).
   */
  decodeRequest(body: unknown, hints: { model?: string; stream?: boolean }): CanonicalRequest;
  /** Encodes a whole (non-stream) response for the client. `model` is what the client asked for. */
  encodeResponse(res: CanonicalResponse, req: CanonicalRequest): unknown;
  createStreamEncoder(req: CanonicalRequest, opts?: StreamEncoderOptions): StreamEncoder;
  /** Content-Type of a streamed reply. */
  streamContentType(opts?: StreamEncoderOptions): string;
  /** The client-facing error: status and body in this protocol's error shape. */
  encodeError(err: GatewayError): { status: number; body: unknown };
  /** Model-list body in this protocol's shape. */
  encodeModelList(models: ModelInfo[]): unknown;

  // ---- channel side ----
  /** Upstream endpoint URL for a generation request. */
  upstreamUrl(baseUrl: string, upstreamModel: string, stream: boolean): string;
  /** Auth (and version) headers for a channel key. */
  upstreamHeaders(key: string): Record<string, string>;
  /**
   * Request body for the upstream. Always asks the upstream for usage (e.g. OpenAI
   * `stream_options.include_usage`) so accounting never misses it.
   */
  encodeRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown>;
  /** Decodes a whole upstream response body (parsed JSON). @throws Error when it is not one. */
  decodeResponse(body: unknown): CanonicalResponse;
  createStreamDecoder(): StreamDecoder;
  /** Reads an upstream error body (text, maybe not JSON) with its HTTP status. */
  decodeError(status: number, body: string): UpstreamErrorInfo;
}
