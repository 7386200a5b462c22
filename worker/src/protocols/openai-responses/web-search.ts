/**
 * Web search in the Responses API, both ways (OpenAI API reference, "The response object" ›
 * output: `web_search_call` {id, status, action: {type: "search", query, sources: [{type: "url",
 * url}]} | {type: "open_page", url} | {type: "find_in_page", url, pattern}}, and `output_text`
 * `annotations[]` of type `url_citation` {start_index, end_index, url, title}; streaming events
 * `response.web_search_call.in_progress` / `.searching` / `.completed` and
 * `response.output_text.annotation.added`). Annotation indexes count characters of the
 * `output_text` they belong to (UTF-16 code units here, see protocols/citations.ts).
 */
import type { Citation, ServerToolPart } from '../canonical';
import type { PlacedCitation } from '../citations';
import { foreignItemId } from '../opaque';
import { isRecord, str, type Json } from './wire';

/** A `url_citation` annotation → a citation with its span in its output_text; undefined for other annotation types. */
export function citationFromAnnotation(a: unknown): Citation | undefined {
  if (!isRecord(a) || a.type !== 'url_citation' || typeof a.url !== 'string') return undefined;
  const start = typeof a.start_index === 'number' ? a.start_index : undefined;
  const end = typeof a.end_index === 'number' ? a.end_index : undefined;
  return {
    url: a.url,
    ...(typeof a.title === 'string' && { title: a.title }),
    ...(start !== undefined && end !== undefined && end >= start && { start, end }),
  };
}

/** The `url_citation` annotations of an `output_text` part. */
export function citationsFromPart(part: Json): Citation[] {
  return Array.isArray(part.annotations) ? part.annotations.map(citationFromAnnotation).filter((c): c is Citation => c !== undefined) : [];
}

/** A placed citation as a `url_citation` annotation. */
export function annotationToWire(p: PlacedCitation): Json {
  return { type: 'url_citation', start_index: p.start, end_index: p.end, url: p.citation.url, title: p.citation.title ?? '' };
}

/**
 * A `web_search_call` item → a server tool part named `web_search`: the action (without its
 * `type: search`) as the arguments, the pages it found (`sources`) or opened (`url`) as sources.
 */
export function serverToolFromItem(item: Json): ServerToolPart {
  const action = isRecord(item.action) ? item.action : {};
  const { sources: rawSources, ...rest } = action;
  const args = action.type === 'search' ? { query: str(action.query) ?? '' } : rest;
  const sources = (Array.isArray(rawSources) ? rawSources : [])
    .filter((s): s is Json => isRecord(s) && typeof s.url === 'string')
    .map((s) => ({ url: s.url as string, ...(typeof s.title === 'string' && { title: s.title }) }));
  if (sources.length === 0 && typeof action.url === 'string') sources.push({ url: action.url });
  return { type: 'server_tool', id: str(item.id) ?? '', name: 'web_search', arguments: JSON.stringify(args), ...(sources.length > 0 && { sources }) };
}


/**
 * A web search another provider ran, as a `web_search_call` item; undefined for other server
 * tools (code execution has no Responses item a client would read the same way).
 */
export function webSearchItem(p: ServerToolPart, status: 'in_progress' | 'completed'): Json | undefined {
  if (p.name !== 'web_search') return undefined;
  // Only another provider's search reaches this encoder (same-protocol replies pass through).
  const id = foreignItemId('ws_', p.id);
  if (status === 'in_progress') return { id, type: 'web_search_call', status };
  let query = '';
  try {
    const input: unknown = JSON.parse(p.arguments);
    if (isRecord(input) && typeof input.query === 'string') query = input.query;
  } catch {
    // arguments that are not JSON: no query
  }
  const sources = (p.sources ?? []).map((s) => ({ type: 'url', url: s.url }));
  return { id, type: 'web_search_call', status, action: { type: 'search', query, sources } };
}
