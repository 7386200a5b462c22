/**
 * The thinking block of a real Anthropic recording, for the reasoning tests: its text (the
 * `thinking_delta`s joined) and its signature (the `signature_delta`), from
 * fixtures/anthropic/vercel__anthropic-clear-thinking.1.chunks.txt (one SSE data object per line).
 */
import { readFileSync } from 'node:fs';
import { fixturesDir } from '../../upstream/recordings';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const events = readFileSync(`${fixturesDir()}/anthropic/vercel__anthropic-clear-thinking.1.chunks.txt`, 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json);

/** The recorded thinking text. */
export const thinkingText: string = events.filter((e) => e.delta?.type === 'thinking_delta').map((e) => e.delta.thinking as string).join('');

/** The recorded thinking block's signature. */
export const signature: string = events.find((e) => e.delta?.type === 'signature_delta')!.delta.signature as string;

/** The recorded block as an Anthropic `thinking` content block. */
export const RECORDED_THINKING = { type: 'thinking', thinking: thinkingText, signature } as const;
