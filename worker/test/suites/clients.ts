/**
 * How each client protocol calls the gateway, for suites that repeat one call in every protocol:
 * the path (Gemini names the model and the method in it), the key header and a minimal body.
 */
export type ClientProtocol = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export const CLIENT_PROTOCOLS: ClientProtocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

interface ClientCall {
  path: (model: string, stream: boolean) => string;
  headers: (key: string) => Record<string, string>;
  body: (model: string, stream: boolean) => Record<string, unknown>;
}

export const CLIENTS: Record<ClientProtocol, ClientCall> = {
  'openai-chat': {
    path: () => '/v1/chat/completions',
    headers: (key) => ({ authorization: `Bearer ${key}` }),
    // Asking for usage: nothing is withheld from a passed-through stream.
    body: (model, stream) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...(stream && { stream, stream_options: { include_usage: true } }) }),
  },
  'openai-responses': {
    path: () => '/v1/responses',
    headers: (key) => ({ authorization: `Bearer ${key}` }),
    body: (model, stream) => ({ model, input: 'hi', ...(stream && { stream }) }),
  },
  anthropic: {
    path: () => '/v1/messages',
    headers: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
    body: (model, stream) => ({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], ...(stream && { stream }) }),
  },
  gemini: {
    path: (model, stream) => `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    headers: (key) => ({ 'x-goog-api-key': key }),
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
  },
};

/** Sends the protocol's minimal generation request for group `model` through `gateway`. */
export function callAs(gateway: (path: string, init?: RequestInit) => Promise<Response>, protocol: ClientProtocol, key: string, model: string, stream = false): Promise<Response> {
  const c = CLIENTS[protocol];
  return gateway(c.path(model, stream), { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers(key) }, body: JSON.stringify(c.body(model, stream)) });
}
