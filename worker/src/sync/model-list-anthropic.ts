/**
 * Model list of an Anthropic channel (Anthropic API reference, "Models → List Models":
 * `GET {base}/models` with `x-api-key` and `anthropic-version`; query `limit` (1–1000, default 20),
 * `after_id` / `before_id` cursors →
 * `{data: [{type: 'model', id, display_name, created_at}], has_more, first_id, last_id}`).
 * Pages forward with `after_id = last_id` while `has_more` is true, 1000 models per page.
 */
import { upstreamHeaders } from '../protocols/anthropic/channel';
import { joinUrl } from '../protocols/url';
import { isJsonObject, nonEmptyString, type ModelListProtocol, type ModelPage } from './model-page';

/** Models asked for per page: the documented maximum. */
export const ANTHROPIC_PAGE_LIMIT = 1000;

/** `{base}/models?limit=1000`, plus `&after_id=<cursor>` after the first page. */
export function anthropicModelsUrl(baseUrl: string, afterId: string | null): string {
  const q = new URLSearchParams({ limit: String(ANTHROPIC_PAGE_LIMIT) });
  if (afterId !== null) q.set('after_id', afterId);
  return `${joinUrl(baseUrl, 'models')}?${q}`;
}

/**
 * Reads one page: the ids of `data[]` (entries without a string `id` skipped) and, when `has_more`
 * is true, `last_id` as the next cursor.
 * @throws Error when the body has no `data` array, or says `has_more` without a `last_id`
 *   (the rest of the list would be unreachable, so a partial list is not returned as whole).
 */
export function parseAnthropicModelPage(body: unknown): ModelPage {
  const data = isJsonObject(body) ? body.data : undefined;
  if (!isJsonObject(body) || !Array.isArray(data)) {
    throw new Error('expected an Anthropic model list: an object with a "data" array');
  }
  const ids: string[] = [];
  for (const m of data) {
    const id = isJsonObject(m) ? nonEmptyString(m.id) : null;
    if (id !== null) ids.push(id);
  }
  if (body.has_more !== true) return { ids, next: null };
  const next = nonEmptyString(body.last_id);
  if (next === null) throw new Error('Anthropic model list says has_more but gives no last_id to continue from');
  return { ids, next };
}

/** Anthropic model listing: cursor paging with `after_id`. */
export const anthropicModelList: ModelListProtocol = {
  label: 'Anthropic',
  pageUrl: anthropicModelsUrl,
  authHeaders: upstreamHeaders,
  parsePage: parseAnthropicModelPage,
};
