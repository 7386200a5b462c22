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
