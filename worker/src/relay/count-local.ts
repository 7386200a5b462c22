/**
 * Counting a prompt's input tokens without asking a provider: the answer to Anthropic
 * `count_tokens` and Gemini `:countTokens` when the group has no member of the client's protocol
 * (or every such member failed). Neither provider publishes its tokenizer, so this is an estimate;
 * its measured accuracy is in the README ("Token counting").
 */
import { ANTHROPIC_IMAGE_TOKENS, anthropicToolSystemTokens } from '../protocols/anthropic/counting';
import type { CanonicalRequest, Part } from '../protocols/canonical';
import { GEMINI_IMAGE_TOKENS } from '../protocols/gemini/counting';

/** Counts the tokens of a text with one tokenizer. */
export interface TokenCounter {
  /** What counts, for logs and the README (e.g. `gpt-tokenizer o200k_base`). */
  name: string;
  /** Tokens of `text` (a whole number ≥ 0). */
  count(text: string): number;
}

/**
 * The fallback where no tokenizer is loaded (the Worker: a rank table would not fit its bundle):
 * one token per 4 characters, OpenAI's rule of thumb for English ("What are tokens and how to
 * count them"), rounded up per piece of text.
 */
export const characterEstimate: TokenCounter = {
  name: 'characters / 4',
  count: (text) => Math.ceil(text.length / 4),
};

/** Tokens one image of unknown size stands for, per provider (see each protocol's counting.ts). */
const IMAGE_TOKENS = { anthropic: ANTHROPIC_IMAGE_TOKENS, gemini: GEMINI_IMAGE_TOKENS } as const;

/**
 * Framing tokens per message (role markers, turn separators) that no text carries. Not published by
 * either provider; 3 is what OpenAI's chat format adds ("How to count tokens with tiktoken").
 */
const TOKENS_PER_MESSAGE = 3;

/** Anthropic's tool-use system prompt (protocols/anthropic/counting.ts); Gemini documents none. */
function toolSystemTokens(req: CanonicalRequest, protocol: 'anthropic' | 'gemini'): number {
  if (protocol !== 'anthropic' || req.tools.length === 0) return 0;
  return anthropicToolSystemTokens(req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool');
}

/** Every text of a prompt, in order: system, messages (text, tool calls and results, reasoning), tool definitions. */
export function promptTexts(req: CanonicalRequest): { texts: string[]; images: number; messages: number } {
  const texts: string[] = req.system.map((s) => s.text);
  let images = 0;
  const addPart = (part: Part) => {
    switch (part.type) {
      case 'text':
      case 'reasoning':
        texts.push(part.text);
        break;
      case 'image':
        images += 1;
        break;
      case 'tool_call':
        texts.push(part.name, part.arguments);
        break;
      case 'tool_result':
        for (const c of part.content) {
          if (c.type === 'text') texts.push(c.text);
          else images += 1;
        }
        break;
    }
  };
  for (const m of req.messages) for (const part of m.parts) addPart(part);
  for (const t of req.tools) texts.push(t.name, t.description ?? '', JSON.stringify(t.parameters));
  if (req.responseFormat?.type === 'json_schema') texts.push(JSON.stringify(req.responseFormat.schema));
  return { texts, images, messages: req.messages.length };
}

/**
 * The prompt's input tokens as `counter` sees them: its texts, a flat count per image (see
 * IMAGE_TOKENS), a few framing tokens per message and Anthropic's tool-use system prompt. Never negative; 0 for an empty prompt.
 */
export function countPromptTokens(req: CanonicalRequest, protocol: 'anthropic' | 'gemini', counter: TokenCounter): number {
  const { texts, images, messages } = promptTexts(req);
  let total = images * IMAGE_TOKENS[protocol] + messages * TOKENS_PER_MESSAGE + toolSystemTokens(req, protocol);
  for (const text of texts) if (text) total += counter.count(text);
  return total;
}
