/**
 * The OpenAI Responses protocol (`POST /v1/responses`, as Codex CLI and the OpenAI SDKs speak it),
 * as a client protocol and as a channel type.
 */
import type { ProtocolCodec } from '../codec';
import { upstreamHeaders, upstreamUrl } from './channel';
import { decodeError, encodeError } from './errors';
import { encodeModelList } from './models';
import { decodeRequest, encodeRequest } from './request';
import { decodeResponse, encodeResponse } from './response';
import { ResponsesStreamDecoder } from './stream-decode';
import { ResponsesStreamEncoder } from './stream-encode';

export const openaiResponsesCodec: ProtocolCodec = {
  name: 'openai-responses',
  decodeRequest,
  encodeResponse,
  createStreamEncoder: (req) => new ResponsesStreamEncoder(req),
  streamContentType: () => 'text/event-stream',
  encodeError,
  encodeModelList,
  upstreamUrl,
  upstreamHeaders,
  encodeRequest,
  decodeResponse,
  createStreamDecoder: () => new ResponsesStreamDecoder(),
  decodeError,
};
