/**
 * The channel dialog's checks before saving (POST /api/v1/channels/test and /channels/models,
 * worker/src/admin/channel-draft.ts): putting fetched models into the form's list, and a test
 * answer in plain words.
 */
import { fmtMs } from './format';

/**
 * What the test routes answer (worker/src/admin/channel-test.ts ChannelTestResult; spelt out here
 * because this module is also type-checked outside the dashboard, where `$gateway` does not resolve).
 */
interface TestAnswer {
  ok: boolean;
  /** Upstream HTTP status; 0 when no answer came. */
  status: number;
  latencyMs: number;
  model: string;
  error?: string;
}

/**
 * The model list text (one model a line) with the fetched models the list lacks appended in their
 * order; what the user typed or kept stays, so removing a line is theirs to do.
 * @returns the new text and how many models were added.
 */
export function mergeFetchedModels(text: string, fetched: string[]): { text: string; added: number } {
  const current = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const have = new Set(current);
  const added = fetched.filter((m) => !have.has(m) && (have.add(m), true));
  return { text: [...current, ...added].join('\n'), added: added.length };
}

/** What fetching found, e.g. "Fetched 3 models: 2 added to the list, 1 already in it." */
export function fetchedText(count: number, added: number): string {
  if (count === 0) return 'The upstream lists no models (after the model filter).';
  const s = (n: number) => (n === 1 ? '' : 's');
  const kept = count - added;
  return `Fetched ${count} model${s(count)}: ${added} added to the list${kept ? `, ${kept} already in it` : ''}.`;
}

/** A test answer in words: "Works: gpt-4.1-nano answered (HTTP 200) in 120 ms." or why it failed. */
export function testText(r: TestAnswer): string {
  if (r.ok) return `Works: ${r.model} answered (HTTP ${r.status}) in ${fmtMs(r.latencyMs)}.`;
  if (r.status === 0) return `Failed: no answer from the upstream after ${fmtMs(r.latencyMs)}${r.error ? ` (${r.error})` : ''}.`;
  return `Failed: the upstream answered HTTP ${r.status}${r.error ? `: ${r.error}` : ''}.`;
}
