/**
 * The Anthropic Messages codec: Claude clients (Claude Code, the Anthropic SDKs, opencode's
 * anthropic provider) on the client side, Anthropic(-compatible) `/v1/messages` endpoints on the
 * channel side.
 */
import type { ProtocolCodec } from '../codec';
import { upstreamHeaders, upstreamUrl } from './channel';
import { decodeError, encodeError } from './errors';
import { encodeModelList } from './models';
import { decodeRequest, encodeRequest } from './request';
import { decodeResponse, encodeResponse } from './response';
import { AnthropicStreamDecoder } from './stream-decode';
import { AnthropicStreamEncoder } from './stream-encode';

export const anthropicCodec: ProtocolCodec = {
  name: 'anthropic',
  decodeRequest,
  encodeResponse,
  createStreamEncoder: (req) => new AnthropicStreamEncoder(req),
  streamContentType: () => 'text/event-stream; charset=utf-8',
  encodeError,
  encodeModelList,
  upstreamUrl,
  upstreamHeaders,
  encodeRequest,
  decodeResponse,
  createStreamDecoder: () => new AnthropicStreamDecoder(),
  decodeError,
};

export { AnthropicStreamDecoder, AnthropicStreamEncoder };
