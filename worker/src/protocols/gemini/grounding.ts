/**
 * Web search grounding in Gemini responses, both ways (Gemini API reference "GenerateContentResponse"
 * › Candidate.groundingMetadata: `webSearchQueries[]`, `groundingChunks[]` {web: {uri, title}},
 * `groundingSupports[]` {segment: {startIndex, endIndex, text}, groundingChunkIndices[]};
 * Segment indexes are "measured in bytes" of the UTF-8 text, end exclusive). Offsets are taken in
 * the candidate's whole answer text (its non-thought text parts joined), as Google's own grounding
 * samples read them; `partIndex` is neither read nor written. Code runs travel as parts instead
 * (`codeParts`).
 */
import type { Citation, ServerToolPart } from '../canonical';
import { utf16Offset, utf8Offset, type PlacedCitation } from '../citations';
import { codeRun } from '../server-tools';
import { isObject, type Json } from './wire';

/**
 * `groundingMetadata` for a Gemini client, or undefined when there is nothing to ground. `text` is
 * the whole answer text; `placed` the citations with their spans in it (UTF-16); `tools` the web
 * searches run (their queries, and their pages as chunks even when nothing cites them).
 */
export function groundingMetadata(text: string, placed: PlacedCitation[], tools: ServerToolPart[]): Json | undefined {
  const searches = tools.filter((t) => t.name === 'web_search');
  if (placed.length === 0 && searches.length === 0) return undefined;
  const chunks: Json[] = [];
  const chunkOf = new Map<string, number>();
  const chunkIndex = (url: string, title: string | undefined): number => {
    let i = chunkOf.get(url);
    if (i === undefined) {
      i = chunks.length;
      chunkOf.set(url, i);
      chunks.push({ web: { uri: url, title: title ?? url } });
    }
    return i;
  };
  // One support per span; several sources of the same span share it.
  const supports = new Map<string, { segment: Json; groundingChunkIndices: number[] }>();
  for (const p of placed) {
    const key = `${p.start}:${p.end}`;
    let s = supports.get(key);
    if (!s) {
      s = { segment: { startIndex: utf8Offset(text, p.start), endIndex: utf8Offset(text, p.end), text: text.slice(p.start, p.end) }, groundingChunkIndices: [] };
      supports.set(key, s);
    }
    const i = chunkIndex(p.citation.url, p.citation.title);
    if (!s.groundingChunkIndices.includes(i)) s.groundingChunkIndices.push(i);
  }
  for (const t of searches) for (const src of t.sources ?? []) chunkIndex(src.url, src.title);
  const queries = searches.map(queryOf).filter((q): q is string => q !== undefined && q !== '');
  return {
    ...(queries.length > 0 && { webSearchQueries: queries }),
    groundingChunks: chunks,
    groundingSupports: [...supports.values()],
  };
}

function queryOf(t: ServerToolPart): string | undefined {
  try {
    const input: unknown = JSON.parse(t.arguments);
    return isObject(input) && typeof input.query === 'string' ? input.query : undefined;
  } catch {
    return undefined;
  }
}

/** What a candidate's `groundingMetadata` says: citations placed in the answer text (UTF-16), and the searches. */
export interface Grounding {
  placed: PlacedCitation[];
  /** One web search per query; the pages (all chunks) go with the first, Gemini not saying which query found which. */
  searches: ServerToolPart[];
}

/** Reads `groundingMetadata` against the answer text it grounds. Malformed entries are skipped. */
export function groundingFromWire(meta: unknown, text: string, idPrefix: string): Grounding {
  if (!isObject(meta)) return { placed: [], searches: [] };
  const chunks = (Array.isArray(meta.groundingChunks) ? meta.groundingChunks : []).map((c) => {
    const web = isObject(c) && isObject(c.web) ? c.web : undefined;
    return web && typeof web.uri === 'string' ? { url: web.uri, ...(typeof web.title === 'string' && { title: web.title }) } : undefined;
  });
  const placed: PlacedCitation[] = [];
  for (const s of Array.isArray(meta.groundingSupports) ? meta.groundingSupports : []) {
    if (!isObject(s) || !isObject(s.segment) || !Array.isArray(s.groundingChunkIndices)) continue;
    const startByte = typeof s.segment.startIndex === 'number' ? s.segment.startIndex : 0;
    const endByte = typeof s.segment.endIndex === 'number' ? s.segment.endIndex : undefined;
    if (endByte === undefined || endByte < startByte) continue;
    const start = utf16Offset(text, startByte);
    const end = utf16Offset(text, endByte);
    for (const i of s.groundingChunkIndices) {
      const source = typeof i === 'number' ? chunks[i] : undefined;
      if (source) placed.push({ citation: source satisfies Citation, start, end });
    }
  }
  const sources = chunks.filter((c): c is NonNullable<typeof c> => c !== undefined);
  const queries = (Array.isArray(meta.webSearchQueries) ? meta.webSearchQueries : []).filter((q): q is string => typeof q === 'string');
  const searches: ServerToolPart[] = queries.map((query, i) => ({
    type: 'server_tool', id: `${idPrefix}_search_${i}`, name: 'web_search', arguments: JSON.stringify({ query }),
    ...(i === 0 && sources.length > 0 && { sources }),
  }));
  return { placed, searches };
}

/**
 * A code run as Gemini parts (Gemini API reference "Part": `executableCode` {language: PYTHON |
 * LANGUAGE_UNSPECIFIED, code}, `codeExecutionResult` {outcome: OUTCOME_OK | OUTCOME_FAILED,
 * output}); none for other server tools. A bash command has no Gemini language: unspecified.
 */
export function codeParts(p: ServerToolPart): Json[] {
  const run = codeRun(p);
  if (!run) return [];
  return [
    { executableCode: { language: run.language === 'python' ? 'PYTHON' : 'LANGUAGE_UNSPECIFIED', code: run.code } },
    { codeExecutionResult: { outcome: p.failed ? 'OUTCOME_FAILED' : 'OUTCOME_OK', ...(p.output !== undefined && { output: p.output }) } },
  ];
}

/** An `executableCode` part → a `code_execution` server tool part without its result yet. */
export function codeRunFromPart(code: Json, id: string): ServerToolPart {
  const language = code.language === 'PYTHON' ? 'python' : typeof code.language === 'string' ? code.language.toLowerCase() : 'python';
  return { type: 'server_tool', id, name: 'code_execution', arguments: JSON.stringify({ code: typeof code.code === 'string' ? code.code : '', language }) };
}

/** Adds a `codeExecutionResult` part to the code run it reports. */
export function applyCodeResult(run: ServerToolPart, result: Json): void {
  if (typeof result.output === 'string') run.output = result.output;
  if (typeof result.outcome === 'string' && result.outcome !== 'OUTCOME_OK') run.failed = true;
}
