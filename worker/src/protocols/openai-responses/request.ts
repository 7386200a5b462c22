/**
 * Requests of the OpenAI Responses API (`POST /v1/responses`): decoding a client's body and
 * encoding one for an upstream. Each direction lives in its own file.
 */
export { decodeRequest } from './request-decode';
export { encodeRequest } from './request-encode';
