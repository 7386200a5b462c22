/**
 * How to call an OpenAI Chat Completions channel (OpenAI API reference, "Create chat completion":
 * `POST {base}/chat/completions`, `Authorization: Bearer <key>`). Also every OpenAI-compatible vendor.
 */
import { joinUrl } from '../url';

/** Endpoint URL for a chat completion on a channel whose base URL is e.g. `https://api.openai.com/v1`. */
export function chatCompletionsUrl(baseUrl: string): string {
  return joinUrl(baseUrl, 'chat/completions');
}

/** Endpoint URL of the model list (`GET {base}/models`). */
export function modelsUrl(baseUrl: string): string {
  return joinUrl(baseUrl, 'models');
}

/** Auth header for the channel's key. */
export function authHeaders(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** Codec form of {@link chatCompletionsUrl}: the model is in the body and streaming is a body flag, so both are unused. */
export function upstreamUrl(baseUrl: string, _upstreamModel?: string, _stream?: boolean): string {
  return chatCompletionsUrl(baseUrl);
}

/** Codec form of {@link authHeaders}. */
export function upstreamHeaders(key: string): Record<string, string> {
  return authHeaders(key);
}
