/**
 * "Facts" of a model reply as an official SDK reads them: text, tool calls, usage, finish.
 * One reader per protocol, each driving that protocol's own SDK, so that golden tests compare what
 * real clients see, never what our codecs think they produced.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

export type Protocol = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export interface Facts {
  text: string;
  toolCalls: { name: string; args: unknown }[];
  /** Tokens, canonical meaning: input excludes cache, output includes reasoning. */
  usage: { totalInput: number; cacheRead: number; cacheWrite: number | null; output: number; reasoning: number | null };
  /** stop | length | tool_calls | other */
  finish: string;
}

const parseArgs = (s: string | undefined) => {
  try {
    return JSON.parse(s && s.length ? s : '{}');
  } catch {
    return { unparsable: s };
  }
};

/** Reads a reply with the protocol's SDK from `baseUrl` (the API root: `<host>` for Gemini, `<host>/v1` otherwise). */
export async function readFacts(protocol: Protocol, baseUrl: string, apiKey: string, model: string, stream: boolean): Promise<Facts> {
  switch (protocol) {
    case 'openai-chat': return stream ? chatStream(baseUrl, apiKey, model) : chatJson(baseUrl, apiKey, model);
    case 'openai-responses': return responses(baseUrl, apiKey, model, stream);
    case 'anthropic': return anthropic(baseUrl, apiKey, model, stream);
    case 'gemini': return gemini(baseUrl, apiKey, model, stream);
  }
}

const USER = 'What is the weather in Paris? Think first, then use the tools.';

/** A 1×1 PNG sent with every request, so image conversion is checked on every pair. */
export const IMAGE_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const IMAGE_URL = `data:image/png;base64,${IMAGE_B64}`;

const chatUser: OpenAI.ChatCompletionUserMessageParam = { role: 'user', content: [{ type: 'text', text: USER }, { type: 'image_url', image_url: { url: IMAGE_URL } }] };

const chatFinish = (r: string | null | undefined) => (r === 'stop' || r === 'length' || r === 'tool_calls' ? r : `other:${r}`);

async function chatStream(baseURL: string, apiKey: string, model: string): Promise<Facts> {
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  const s = await client.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [chatUser] });
  let text = '';
  let finish: string | null = null;
  const calls = new Map<number, { name: string; args: string }>();
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of s) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta?.content ?? '';
    for (const tc of choice.delta?.tool_calls ?? []) {
      const c = calls.get(tc.index) ?? { name: '', args: '' };
      if (tc.function?.name) c.name += tc.function.name;
      c.args += tc.function?.arguments ?? '';
      calls.set(tc.index, c);
    }
    finish = choice.finish_reason ?? finish;
  }
  return { text, toolCalls: [...calls.values()].map((c) => ({ name: c.name, args: parseArgs(c.args) })), usage: chatUsage(usage), finish: chatFinish(finish) };
}

async function chatJson(baseURL: string, apiKey: string, model: string): Promise<Facts> {
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  const r = await client.chat.completions.create({ model, messages: [chatUser] });
  const m = r.choices[0]!.message;
  return {
    text: m.content ?? '',
    toolCalls: (m.tool_calls ?? []).map((t) => (t.type === 'function' ? { name: t.function.name, args: parseArgs(t.function.arguments) } : { name: '?', args: null })),
    usage: chatUsage(r.usage),
    finish: chatFinish(r.choices[0]!.finish_reason),
  };
}

function chatUsage(u: OpenAI.CompletionUsage | undefined): Facts['usage'] {
  return {
    totalInput: u?.prompt_tokens ?? -1,
    cacheRead: u?.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWrite: null,
    output: u?.completion_tokens ?? -1,
    reasoning: u?.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

const responsesInput: OpenAI.Responses.ResponseInput = [{ role: 'user', content: [{ type: 'input_text', text: USER }, { type: 'input_image', image_url: IMAGE_URL, detail: 'auto' }] }];

async function responses(baseURL: string, apiKey: string, model: string, stream: boolean): Promise<Facts> {
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  let r: OpenAI.Responses.Response;
  if (stream) {
    const s = client.responses.stream({ model, input: responsesInput });
    r = await s.finalResponse();
  } else {
    r = await client.responses.create({ model, input: responsesInput });
  }
  const calls = r.output.filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
  const finish = r.status === 'incomplete' ? (r.incomplete_details?.reason === 'max_output_tokens' ? 'length' : `other:${r.incomplete_details?.reason}`)
    : r.status === 'completed' ? (calls.length ? 'tool_calls' : 'stop') : `other:${r.status}`;
  return {
    text: r.output_text,
    toolCalls: calls.map((c) => ({ name: c.name, args: parseArgs(c.arguments) })),
    usage: {
      totalInput: r.usage?.input_tokens ?? -1,
      cacheRead: r.usage?.input_tokens_details?.cached_tokens ?? 0,
      cacheWrite: null,
      output: r.usage?.output_tokens ?? -1,
      reasoning: r.usage?.output_tokens_details?.reasoning_tokens ?? 0,
    },
    finish,
  };
}

async function anthropic(baseURL: string, apiKey: string, model: string, stream: boolean): Promise<Facts> {
  const client = new Anthropic({ apiKey, baseURL: baseURL.replace(/\/v1$/, ''), maxRetries: 0 });
  const params = {
    model, max_tokens: 1024,
    messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: USER }, { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: IMAGE_B64 } }] }],
  };
  const m = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
  const u = m.usage;
  const stop = m.stop_reason;
  return {
    text: m.content.filter((b): b is Anthropic.TextBlock => b.type === 'text').map((b) => b.text).join(''),
    toolCalls: m.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b) => ({ name: b.name, args: b.input })),
    usage: {
      totalInput: u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
      cacheRead: u.cache_read_input_tokens ?? 0,
      cacheWrite: u.cache_creation_input_tokens ?? 0,
      output: u.output_tokens,
      reasoning: null,
    },
    finish: stop === 'end_turn' || stop === 'stop_sequence' ? 'stop' : stop === 'max_tokens' ? 'length' : stop === 'tool_use' ? 'tool_calls' : `other:${stop}`,
  };
}

async function gemini(baseUrl: string, apiKey: string, model: string, stream: boolean): Promise<Facts> {
  const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: baseUrl.replace(/\/v1(beta)?$/, '') } });
  const params = { model, contents: [{ role: 'user', parts: [{ text: USER }, { inlineData: { mimeType: 'image/png', data: IMAGE_B64 } }] }] };
  const chunks = stream ? [] as Awaited<ReturnType<typeof ai.models.generateContent>>[] : [await ai.models.generateContent(params)];
  if (stream) for await (const c of await ai.models.generateContentStream(params)) chunks.push(c);
  let text = '';
  const toolCalls: Facts['toolCalls'] = [];
  let finish = '';
  let meta: (typeof chunks)[number]['usageMetadata'];
  for (const c of chunks) {
    if (c.usageMetadata) meta = c.usageMetadata;
    const cand = c.candidates?.[0];
    for (const part of cand?.content?.parts ?? []) {
      if (part.text && !part.thought) text += part.text;
      if (part.functionCall) toolCalls.push({ name: part.functionCall.name ?? '', args: part.functionCall.args ?? {} });
    }
    if (cand?.finishReason) finish = cand.finishReason;
  }
  const thoughts = meta?.thoughtsTokenCount ?? 0;
  return {
    text,
    toolCalls,
    usage: {
      totalInput: meta?.promptTokenCount ?? -1,
      cacheRead: meta?.cachedContentTokenCount ?? 0,
      cacheWrite: null,
      output: (meta?.candidatesTokenCount ?? 0) + thoughts,
      reasoning: thoughts,
    },
    finish: finish === 'STOP' ? (toolCalls.length ? 'tool_calls' : 'stop') : finish === 'MAX_TOKENS' ? 'length' : `other:${finish}`,
  };
}
