/**
 * Model list of a Gemini channel (Gemini API reference, "models.list":
 * `GET {base}/models` with `x-goog-api-key`; query `pageSize` (default 50, at most 1000 per page)
 * and `pageToken` → `{models: [Model], nextPageToken}`, no `nextPageToken` on the last page).
 * Every page repeats `pageSize`: the reference requires the other parameters to match the call
 * that returned the token.
 *
 * Model `name`s are `models/{model}`; the prefix is stripped. Only models whose
 * `supportedGenerationMethods` contains `generateContent` are kept: the list also holds embedding
 * (`embedContent`), Imagen (`predict`), Veo (`predictLongRunning`) and AQA (`generateAnswer`)
 * models, which a chat channel cannot serve.
 */
import { geminiUpstreamHeaders } from '../protocols/gemini/channel';
import { field, stripModelsPrefix } from '../protocols/gemini/wire';
import { joinUrl } from '../protocols/url';
import { isJsonObject, nonEmptyString, type ModelListProtocol, type ModelPage } from './model-page';

/** Models asked for per page: the documented maximum. */
export const GEMINI_PAGE_SIZE = 1000;

/** The generation method a model must support to be listed. */
export const GEMINI_REQUIRED_METHOD = 'generateContent';

/** `{base}/models?pageSize=1000`, plus `&pageToken=<cursor>` after the first page. */
export function geminiModelsUrl(baseUrl: string, pageToken: string | null): string {
  const q = new URLSearchParams({ pageSize: String(GEMINI_PAGE_SIZE) });
  if (pageToken !== null) q.set('pageToken', pageToken);
  return `${joinUrl(baseUrl, 'models')}?${q}`;
}

/**
 * Reads one page: the `generateContent`-capable models of `models[]` without their `models/`
 * prefix, and `nextPageToken` as the next cursor. Field names are read in camelCase or snake_case
 * (proto3 JSON). A page without `models` is an empty page (the API omits empty repeated fields).
 * @throws Error when the body is not an object, or `models` is present but not an array.
 */
export function parseGeminiModelPage(body: unknown): ModelPage {
  if (!isJsonObject(body)) throw new Error('expected a Gemini model list: an object with a "models" array');
  const models = body.models ?? [];
  if (!Array.isArray(models)) throw new Error('expected a Gemini model list: "models" must be an array');
  const ids: string[] = [];
  for (const m of models) {
    if (!isJsonObject(m)) continue;
    const name = nonEmptyString(m.name);
    const methods = field(m, 'supportedGenerationMethods');
    if (name === null || !Array.isArray(methods) || !methods.includes(GEMINI_REQUIRED_METHOD)) continue;
    const id = stripModelsPrefix(name);
    if (id.length > 0) ids.push(id);
  }
  return { ids, next: nonEmptyString(field(body, 'nextPageToken')) };
}

/** Gemini model listing: token paging with `pageToken`, generateContent models only. */
export const geminiModelList: ModelListProtocol = {
  label: 'Gemini',
  pageUrl: geminiModelsUrl,
  authHeaders: geminiUpstreamHeaders,
  parsePage: parseGeminiModelPage,
};
