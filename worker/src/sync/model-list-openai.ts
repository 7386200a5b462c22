/**
 * Model list of an OpenAI channel (OpenAI API reference, "Models → List models":
 * `GET {base}/models` with `Authorization: Bearer <key>` →
 * `{object: 'list', data: [{id, object: 'model', created, owned_by}]}`). The endpoint has no
 * paging, so the first page is the whole list. OpenAI-compatible vendors answer the same shape.
 * Responses channels (`openai-responses`) use this same endpoint: the Responses API has no list of
 * its own.
 */
import { authHeaders, modelsUrl } from '../protocols/openai-chat/channel';
import { isJsonObject, nonEmptyString, type ModelListProtocol, type ModelPage } from './model-page';

/**
 * Reads a `GET /models` body: the ids of `data[]`. Entries without a string `id` are skipped;
 * `object` is not checked (several compatible vendors leave it out).
 * @throws Error when the body has no `data` array.
 */
export function parseOpenAIModelPage(body: unknown): ModelPage {
  const data = isJsonObject(body) ? body.data : undefined;
  if (!Array.isArray(data)) throw new Error('expected an OpenAI model list: an object with a "data" array');
  const ids: string[] = [];
  for (const m of data) {
    const id = isJsonObject(m) ? nonEmptyString(m.id) : null;
    if (id !== null) ids.push(id);
  }
  return { ids, next: null };
}

/** OpenAI (and OpenAI-compatible) model listing: one unpaged request. */
export const openaiModelList: ModelListProtocol = {
  label: 'OpenAI',
  pageUrl: (baseUrl) => modelsUrl(baseUrl),
  authHeaders,
  parsePage: parseOpenAIModelPage,
};
