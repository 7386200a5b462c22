/**
 * Anthropic Messages requests: `decodeRequest` (client body → canonical) and `encodeRequest`
 * (canonical → upstream body). The work is split by direction into request-decode.ts and
 * request-encode.ts.
 */
export { decodeRequest } from './request-decode';
export { encodeRequest } from './request-encode';
