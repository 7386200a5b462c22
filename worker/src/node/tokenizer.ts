/**
 * The Node process's tokenizer for locally counted prompts (relay/count-tokens.ts): js-tiktoken
 * (pinned in package.json) with OpenAI's o200k_base ranks. The rank table is ~2.3 MB of
 * JavaScript, which is why the Worker does without it (Platform.tokenCounter); here it loads on the
 * first count, not at start-up, and is kept for the life of the process.
 */
import type { TokenCounter } from '../relay/count-local';

let loading: Promise<TokenCounter> | null = null;

/** The shared o200k_base counter, loaded once (a failed load is retried by the next call). */
export function o200kCounter(): Promise<TokenCounter> {
  loading ??= (async () => {
    const [{ Tiktoken }, { default: ranks }] = await Promise.all([import('js-tiktoken/lite'), import('js-tiktoken/ranks/o200k_base')]);
    const encoding = new Tiktoken(ranks);
    return {
      name: 'js-tiktoken o200k_base',
      // Text that looks like a special token (`<|endoftext|>`) in a prompt is counted as plain text.
      count: (text: string) => encoding.encode(text, [], []).length,
    };
  })().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}
