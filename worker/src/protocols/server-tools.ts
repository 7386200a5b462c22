/**
 * Reading canonical server tool parts (canonical.ts `ServerToolPart`) the same way in every
 * encoder: which ones ran code, and the code they ran. Names are the provider's: Anthropic
 * `code_execution` (input `{code}`, Python) and `bash_code_execution` (input `{command}`); the
 * decoders of Responses `code_interpreter_call` and Gemini `executableCode` use `code_execution`.
 */
import type { ServerToolPart } from './canonical';

/** The code a code-execution server tool ran, and its language; undefined for other tools. */
export function codeRun(p: ServerToolPart): { code: string; language: 'python' | 'bash' } | undefined {
  if (p.name !== 'code_execution' && p.name !== 'bash_code_execution') return undefined;
  let input: unknown;
  try {
    input = JSON.parse(p.arguments);
  } catch {
    input = {};
  }
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const code = typeof fields.code === 'string' ? fields.code : typeof fields.command === 'string' ? fields.command : '';
  const bash = p.name === 'bash_code_execution' || fields.language === 'bash';
  return { code, language: bash ? 'bash' : 'python' };
}

/** The search query of a web search server tool (`{"query": …}`), or undefined. */
export function searchQuery(p: ServerToolPart): string | undefined {
  if (p.name !== 'web_search') return undefined;
  try {
    const input: unknown = JSON.parse(p.arguments);
    const q = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).query : undefined;
    return typeof q === 'string' ? q : undefined;
  } catch {
    return undefined;
  }
}
