/**
 * Gemini generateContent requests: `decodeGeminiRequest` (client body → canonical) and
 * `encodeGeminiRequest` (canonical → upstream body). See request-decode.ts and request-encode.ts.
 */
export { decodeGeminiRequest } from './request-decode';
export { encodeGeminiRequest } from './request-encode';
