/**
 * The client-facing endpoints of every protocol:
 * OpenAI Chat `POST /v1/chat/completions`, OpenAI Responses `POST /v1/responses`, Anthropic
 * `POST /v1/messages` (`?beta=true` too), Gemini `POST /{v1beta,v1}/models/{model}:generateContent`
 * and `:streamGenerateContent` (with or without `alt=sse`), the token counts (Anthropic
 * `POST /v1/messages/count_tokens`, Gemini `:countTokens`), and the model lists.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env';
import { gatewayError } from '../protocols/canonical';
import { handleCountTokens } from './count-tokens';
import { handleEmbed } from './embed';
import { handleGenerate, protocolError } from './generate';
import { handleGetModel, handleListModels } from './models';
import { handleUsage } from './usage';

/** `gemini-2.5-flash:streamGenerateContent` → model and method; null when malformed (bad percent-encoding too). */
function splitGeminiAction(action: string): { model: string; method: string } | null {
  const at = action.lastIndexOf(':');
  if (at <= 0) return null;
  try {
    return { model: decodeURIComponent(action.slice(0, at)), method: action.slice(at + 1) };
  } catch {
    return null;
  }
}

async function geminiAction(c: Context<AppEnv>): Promise<Response> {
  const parsed = splitGeminiAction(c.req.param('action') ?? '');
  if (parsed && (parsed.method === 'generateContent' || parsed.method === 'streamGenerateContent')) {
    const stream = parsed.method === 'streamGenerateContent';
    const alt = new URL(c.req.url).searchParams.get('alt');
    return handleGenerate(c, {
      protocol: 'gemini',
      hints: { model: parsed.model, stream },
      streamOptions: { geminiAlt: alt === 'sse' ? 'sse' : 'json-array' },
    });
  }
  if (parsed && parsed.method === 'countTokens') return handleCountTokens(c, { protocol: 'gemini', model: parsed.model });
  if (parsed && (parsed.method === 'embedContent' || parsed.method === 'batchEmbedContents')) {
    return handleEmbed(c, { protocol: 'gemini', model: parsed.model, batch: parsed.method === 'batchEmbedContents' });
  }
  return protocolError('gemini', gatewayError(404, 'not_found', 'unknown_method', `Unknown Gemini method: ${c.req.param('action')}.`));
}

export function relayRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.post('/v1/chat/completions', (c) => handleGenerate(c, { protocol: 'openai-chat' }));
  r.post('/v1/responses', (c) => handleGenerate(c, { protocol: 'openai-responses' }));
  r.post('/v1/embeddings', (c) => handleEmbed(c, { protocol: 'openai-chat' }));
  r.post('/v1/messages', (c) => handleGenerate(c, { protocol: 'anthropic', forwardHeaders: ['anthropic-beta'] }));
  r.post('/v1/messages/count_tokens', (c) => handleCountTokens(c, { protocol: 'anthropic' }));
  r.post('/v1beta/models/:action', geminiAction);
  r.post('/v1/models/:action', geminiAction);

  r.get('/v1/usage', handleUsage);
  r.get('/v1/models', (c) => handleListModels(c));
  r.get('/v1/models/:model', (c) => handleGetModel(c, c.req.param('model')));
  r.get('/v1beta/models', (c) => handleListModels(c, 'gemini'));
  r.get('/v1beta/models/:model', (c) => handleGetModel(c, c.req.param('model'), 'gemini'));
  return r;
}
