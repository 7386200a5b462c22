/**
 * Asks a channel's upstream which models it serves, for every channel type, following the
 * provider's paging. Per-protocol request and parsing details live in `model-list-<protocol>.ts`.
 */
import type { Channel, ChannelType } from '../db/types';
import { redactor, secretParts } from '../lib/redact';
import { secretHeaderValues } from '../lib/channel-headers';
import { bodySnippet, getJson, ModelListError } from './get-json';
import { anthropicModelList } from './model-list-anthropic';
import { geminiModelList } from './model-list-gemini';
import { openaiModelList } from './model-list-openai';
import type { ModelListProtocol } from './model-page';

export { ModelListError } from './get-json';

/** Pages fetched at most by default before giving up. */
export const DEFAULT_MAX_PAGES = 20;
/** Default per-request timeout, ms (each page has its own). */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Model-list protocol of each channel type. Both OpenAI types share OpenAI's `GET /models`. */
export const MODEL_LIST_PROTOCOLS: Record<ChannelType, ModelListProtocol> = {
  'openai-chat': openaiModelList,
  'openai-responses': openaiModelList,
  anthropic: anthropicModelList,
  gemini: geminiModelList,
};

/** Options of {@link fetchModelList}. */
export interface FetchModelListOptions {
  /** Most pages to request (integer ≥ 1). Default {@link DEFAULT_MAX_PAGES}. */
  maxPages?: number;
  /** Timeout of each page request in ms (> 0). Default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/**
 * Lists the models a channel's upstream offers with key `apiKey`:
 * - `openai-chat`, `openai-responses`: `GET {base}/models` (one request, no paging);
 * - `anthropic`: `GET {base}/models?limit=1000[&after_id=…]` while `has_more`;
 * - `gemini`: `GET {base}/models?pageSize=1000[&pageToken=…]` while `nextPageToken`, keeping only
 *   models that support `generateContent`, without the `models/` prefix.
 *
 * Headers: `accept: application/json`, the protocol's auth headers, then `channel.headers` (which
 * win, as on generation requests).
 *
 * @param fetchFn web-standard fetch, e.g. `globalThis.fetch`.
 * @returns model ids, unique, sorted by UTF-16 code units (`Array.prototype.sort`).
 * @throws RangeError for an unknown channel type or invalid `opts`.
 * @throws ModelListError (an Error; messages never contain the key or secret header values) when a
 *   request fails, times out, answers non-2xx (message: HTTP status and the first 200 characters of
 *   the body), answers something that is not JSON or not the protocol's list shape, repeats a page
 *   cursor, or when the list has more than `maxPages` pages (a partial list is never returned).
 */
export async function fetchModelList(
  channel: Pick<Channel, 'type' | 'baseUrl' | 'headers'>,
  apiKey: string,
  fetchFn: typeof fetch,
  opts: FetchModelListOptions = {},
): Promise<string[]> {
  const protocol = MODEL_LIST_PROTOCOLS[channel.type] as ModelListProtocol | undefined;
  if (!protocol) throw new RangeError(`cannot list models of channel type ${String(channel.type)}`);
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError(`maxPages must be an integer ≥ 1, got ${maxPages}`);
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);

  const extra = channel.headers ?? {};
  const redact = redactor(...secretParts(apiKey), ...secretHeaderValues(extra).flatMap(secretParts));
  const what = `${protocol.label} model list`;
  const headers = { accept: 'application/json', ...protocol.authHeaders(apiKey), ...extra };
  const ids = new Set<string>();
  const seen = new Set<string>();
  let cursor: string | null = null;

  for (let page = 1; ; page++) {
    const url = protocol.pageUrl(channel.baseUrl, cursor);
    const { json, text, status } = await getJson(url, { fetchFn, headers, timeoutMs, redact, what });
    let next: string | null;
    try {
      const parsed = protocol.parsePage(json);
      for (const id of parsed.ids) ids.add(id);
      next = parsed.next;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ModelListError(redact(`${what}: GET ${url}: ${why}; got ${bodySnippet(redact(text))}`), status);
    }
    if (next === null) break;
    if (seen.has(next)) throw new ModelListError(redact(`${what}: the upstream repeated page cursor ${next}; stopped`), null);
    if (page >= maxPages) {
      throw new ModelListError(`${what}: more than ${maxPages} pages; stopped without a complete list (raise maxPages)`, null);
    }
    seen.add(next);
    cursor = next;
  }
  return [...ids].sort();
}
