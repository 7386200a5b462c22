/**
 * The OpenAI Chat Completions codec: OpenAI itself and every OpenAI-compatible vendor
 * (Azure OpenAI, DeepSeek, Groq, OpenRouter, vLLM, Ollama, ...).
 */
import type { ProtocolCodec } from '../codec';
import { upstreamHeaders, upstreamUrl } from './channel';
import { decodeError, encodeError } from './errors';
import { encodeModelList } from './models';
import { decodeRequest, encodeRequest } from './request';
import { decodeResponse, encodeResponse } from './response';
import { OpenAIChatStreamDecoder } from './stream-decode';
import { OpenAIChatStreamEncoder } from './stream-encode';

export const openaiChatCodec: ProtocolCodec = {
  name: 'openai-chat',
  decodeRequest,
  encodeResponse,
  createStreamEncoder: (req) => new OpenAIChatStreamEncoder(req),
  streamContentType: () => 'text/event-stream; charset=utf-8',
  encodeError,
  encodeModelList,
  upstreamUrl,
  upstreamHeaders,
  encodeRequest,
  decodeResponse,
  createStreamDecoder: () => new OpenAIChatStreamDecoder(),
  decodeError,
};

export { OpenAIChatStreamDecoder, OpenAIChatStreamEncoder };
