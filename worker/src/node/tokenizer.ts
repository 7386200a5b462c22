/**
 * The Node process's tokenizer for locally counted prompts (relay/count-tokens.ts): gpt-tokenizer
 * (pinned in package.json) with OpenAI's o200k_base encoding. Its rank table is ~2.4 MB of
 * JavaScript, which is why the Worker does without it (Platform.tokenCounter); here it loads on the
 * first count (about 0.2 s), not at start-up, and is kept for the life of the process. It counts
 * several MB of text a second (an 80 KB Claude Code prompt: about 10 ms of the event loop), about
 * six times js-tiktoken's pace on the same encoding.
 */
import type { TokenCounter } from '../relay/count-local';

let loading: Promise<TokenCounter> | null = null;

/** Text that looks like a special token (`<|endoftext|>`) is counted as plain text, never refused. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** The shared o200k_base counter, loaded once (a failed load is retried by the next call). */
export function o200kCounter(): Promise<TokenCounter> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base')
    .then(({ countTokens }): TokenCounter => ({ name: 'gpt-tokenizer o200k_base', count: (text) => countTokens(text, PLAIN_TEXT) }))
    .catch((err: unknown) => {
      loading = null;
      throw err;
    });
  return loading;
}
