/**
 * Gemini streams: `GeminiStreamDecoder` (upstream SSE → canonical events), `GeminiStreamEncoder`
 * (canonical events → client SSE or JSON-array stream) and `JsonArrayReader` (JSON-array framing → events).
 */
export { GeminiStreamDecoder } from './stream-decode';
export { GeminiStreamEncoder, geminiStreamContentType, type GeminiFraming } from './stream-encode';
export { JsonArrayReader } from './json-array';
