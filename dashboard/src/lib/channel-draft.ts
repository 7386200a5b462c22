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

/**
 * The sentences of fetchedText and testText. English by default; the channels page installs the
 * dashboard's language (setChannelDraftWords) so this module stays free of paraglide and the
 * gateway's unit tests can import it.
 */
export interface ChannelDraftWords {
  noModels: () => string;
  /** `count` models fetched (a number; `one` when it is 1), `added` of them new, `kept` already listed (0: say nothing). */
  fetched: (count: number, one: boolean, added: number, kept: number) => string;
  works: (model: string, status: number, time: string) => string;
  noAnswer: (time: string, error: string | undefined) => string;
  answered: (status: number, error: string | undefined) => string;
}

const ENGLISH: ChannelDraftWords = {
  noModels: () => 'The upstream lists no models (after the model filter).',
  fetched: (count, one, added, kept) => `Fetched ${count} model${one ? '' : 's'}: ${added} added to the list${kept ? `, ${kept} already in it` : ''}.`,
  works: (model, status, time) => `Works: ${model} answered (HTTP ${status}) in ${time}.`,
  noAnswer: (time, error) => `Failed: no answer from the upstream after ${time}${error ? ` (${error})` : ''}.`,
  answered: (status, error) => `Failed: the upstream answered HTTP ${status}${error ? `: ${error}` : ''}.`,
};
let words = ENGLISH;

/** Sets the sentences' language (English when called without words). */
export function setChannelDraftWords(w: ChannelDraftWords = ENGLISH): void {
  words = w;
}

/** What fetching found, e.g. "Fetched 3 models: 2 added to the list, 1 already in it." */
export function fetchedText(count: number, added: number): string {
  if (count === 0) return words.noModels();
  return words.fetched(count, count === 1, added, count - added);
}

/** A test answer in words: "Works: gpt-4.1-nano answered (HTTP 200) in 120 ms." or why it failed. */
export function testText(r: TestAnswer): string {
  if (r.ok) return words.works(r.model, r.status, fmtMs(r.latencyMs));
  if (r.status === 0) return words.noAnswer(fmtMs(r.latencyMs), r.error);
  return words.answered(r.status, r.error);
}
