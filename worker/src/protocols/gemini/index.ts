/**
 * The Gemini protocol (Google Gemini API generateContent / streamGenerateContent, as spoken by
 * Gemini CLI, @google/genai and @ai-sdk/google), in both roles: client protocol and channel type.
 */
import type { ProtocolCodec } from '../codec';
import { geminiUpstreamHeaders, geminiUpstreamUrl } from './channel';
import { decodeGeminiError, encodeGeminiError } from './errors';
import { encodeGeminiModelList } from './models';
import { decodeGeminiRequest, encodeGeminiRequest } from './request';
import { decodeGeminiResponse, encodeGeminiResponse } from './response';
import { GeminiStreamDecoder, GeminiStreamEncoder, geminiStreamContentType } from './stream';

export { encodeModel } from './models';
export { JsonArrayReader } from './stream';

export const geminiCodec: ProtocolCodec = {
  name: 'gemini',
  decodeRequest: decodeGeminiRequest,
  encodeResponse: encodeGeminiResponse,
  createStreamEncoder: (req, opts) => new GeminiStreamEncoder(req, opts?.geminiAlt ?? 'sse'),
  streamContentType: (opts) => geminiStreamContentType(opts?.geminiAlt ?? 'sse'),
  encodeError: encodeGeminiError,
  encodeModelList: encodeGeminiModelList,
  upstreamUrl: geminiUpstreamUrl,
  upstreamHeaders: geminiUpstreamHeaders,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  createStreamDecoder: () => new GeminiStreamDecoder(),
  decodeError: decodeGeminiError,
};
