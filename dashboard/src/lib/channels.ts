/** Channel types as the dashboard names them, and the upstream URL a base URL leads to. */
import { upstreamUrl as anthropicUrl } from '$gateway/protocols/anthropic/channel';
import { geminiUpstreamUrl } from '$gateway/protocols/gemini/channel';
import { upstreamUrl as chatUrl } from '$gateway/protocols/openai-chat/channel';
import { upstreamUrl as responsesUrl } from '$gateway/protocols/openai-responses/channel';
import type { ChannelType } from './types';

export const TYPE_INFO: Record<ChannelType, { label: string; short: string; example: string }> = {
  'openai-chat': { label: 'OpenAI Chat Completions', short: 'OpenAI Chat', example: 'https://api.openai.com/v1' },
  'openai-responses': { label: 'OpenAI Responses', short: 'Responses', example: 'https://api.openai.com/v1' },
  anthropic: { label: 'Anthropic Messages', short: 'Anthropic', example: 'https://api.anthropic.com/v1' },
  gemini: { label: 'Google Gemini', short: 'Gemini', example: 'https://generativelanguage.googleapis.com/v1beta' },
};

/**
 * Providers the channel dialog can fill in: type and base URL as each provider documents its API
 * (OpenAI-compatible endpoints take the Chat type). Picking one only fills the form.
 */
export const PROVIDER_PRESETS: { id: string; label: string; type: ChannelType; baseUrl: string }[] = [
  { id: 'openai', label: 'OpenAI (Chat Completions)', type: 'openai-chat', baseUrl: 'https://api.openai.com/v1' },
  { id: 'openai-responses', label: 'OpenAI (Responses)', type: 'openai-responses', baseUrl: 'https://api.openai.com/v1' },
  { id: 'anthropic', label: 'Anthropic', type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1' },
  { id: 'gemini', label: 'Google Gemini', type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com/v1beta' },
  { id: 'openrouter', label: 'OpenRouter', type: 'openai-chat', baseUrl: 'https://openrouter.ai/api/v1' },
  { id: 'deepseek', label: 'DeepSeek', type: 'openai-chat', baseUrl: 'https://api.deepseek.com/v1' },
  { id: 'groq', label: 'Groq', type: 'openai-chat', baseUrl: 'https://api.groq.com/openai/v1' },
  { id: 'mistral', label: 'Mistral', type: 'openai-chat', baseUrl: 'https://api.mistral.ai/v1' },
  { id: 'xai', label: 'xAI', type: 'openai-chat', baseUrl: 'https://api.x.ai/v1' },
  { id: 'ollama', label: 'Ollama (local)', type: 'openai-chat', baseUrl: 'http://localhost:11434/v1' },
];

/** The URL the gateway calls for a generation request on this channel (same code as the relay). */
export function fullUrl(type: ChannelType, baseUrl: string, model = '{model}'): string {
  switch (type) {
    case 'openai-chat':
      return chatUrl(baseUrl);
    case 'openai-responses':
      return responsesUrl(baseUrl, model, false);
    case 'anthropic':
      return anthropicUrl(baseUrl, model, false);
    case 'gemini':
      return geminiUpstreamUrl(baseUrl, model, true);
  }
}
