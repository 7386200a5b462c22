/**
 * Web search citations and server tool blocks in Anthropic Messages (Anthropic docs "Web search
 * tool": response content `server_tool_use` {id, name, input}, `web_search_tool_result`
 * {tool_use_id, content: [{type: "web_search_result", url, title, encrypted_content, page_age}] or
 * an error object}, text blocks with `citations: [{type: "web_search_result_location", url, title,
 * cited_text, encrypted_index}]`; streaming sends citations as `citations_delta` {citation}).
 *
 * An Anthropic citation covers its whole text block, so a canonical citation decoded here has no
 * span. Encoding for an Anthropic client, a whole reply is cut so each cited span is a block
 * (`splitByCitations`); a stream cannot be cut after the fact, so there the citation goes on the
 * text block holding it. Opaque slots Anthropic requires (`encrypted_index`, `encrypted_content`) get the
 * provider's own value, or the empty envelope `FOREIGN_PLACEHOLDER` when another provider gave
 * none: a body holding it is never passed through to Anthropic (passthrough.ts `carriesEnvelope`).
 */
import type { Citation, ServerToolPart } from '../canonical';
import { FOREIGN_PLACEHOLDER, foreignItemId, opaqueFromSlot, opaqueToSlot } from '../opaque';
import { isRecord, type Json } from './wire';

/** A `web_search_result_location` citation → canonical; undefined for other citation types (documents, …). */
export function citationFromWire(c: unknown): Citation | undefined {
  if (!isRecord(c) || c.type !== 'web_search_result_location' || typeof c.url !== 'string') return undefined;
  return {
    url: c.url,
    ...(typeof c.title === 'string' && { title: c.title }),
    ...(typeof c.cited_text === 'string' && { citedText: c.cited_text }),
    ...(typeof c.encrypted_index === 'string' && c.encrypted_index !== '' && { opaque: opaqueFromSlot(c.encrypted_index, 'anthropic') }),
  };
}

/** The citations of a text block (`citations` array; null or absent → none). */
export function citationsFromWire(list: unknown): Citation[] {
  return Array.isArray(list) ? list.map(citationFromWire).filter((c): c is Citation => c !== undefined) : [];
}

/** A canonical citation as a `web_search_result_location` for an Anthropic client. */
export function citationToWire(c: Citation): Json {
  return {
    type: 'web_search_result_location',
    url: c.url,
    title: c.title ?? c.url,
    cited_text: c.citedText ?? '',
    encrypted_index: c.opaque ? opaqueToSlot(c.opaque, 'anthropic') : FOREIGN_PLACEHOLDER,
  };
}

/**
 * A text part cut into the text blocks an Anthropic client expects: one block per cited span with
 * the citations covering it, the text between as blocks of its own, as Anthropic itself answers
 * (it cites whole blocks). Joined, the blocks are the text. A citation without a span covers the
 * whole part, so then the part stays one block (with every citation).
 */
export function splitByCitations(text: string, citations: Citation[]): Array<{ text: string; citations: Citation[] }> {
  if (citations.length === 0 || citations.some((c) => c.start === undefined || c.end === undefined)) return [{ text, citations }];
  const clamp = (n: number) => Math.min(Math.max(0, n), text.length);
  const cuts = [...new Set([0, text.length, ...citations.flatMap((c) => [clamp(c.start!), clamp(c.end!)])])].sort((a, b) => a - b);
  const out: Array<{ text: string; citations: Citation[] }> = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [from, to] = [cuts[i]!, cuts[i + 1]!];
    const covering = citations.filter((c) => clamp(c.start!) <= from && clamp(c.end!) >= to);
    out.push({ text: text.slice(from, to), citations: covering });
  }
  return out;
}

/** A `server_tool_use` block → a server tool part without sources yet. */
export function serverToolFromWire(b: Json): ServerToolPart | undefined {
  if (typeof b.id !== 'string' || typeof b.name !== 'string') return undefined;
  const args = isRecord(b.input) ? JSON.stringify(b.input) : '{}';
  return { type: 'server_tool', id: b.id, name: b.name, arguments: args };
}

/** The pages of a `web_search_tool_result` block (none when it holds an error). */
export function searchSourcesFromWire(b: Json): Array<{ url: string; title?: string }> {
  if (!Array.isArray(b.content)) return [];
  return b.content
    .filter((r): r is Json => isRecord(r) && r.type === 'web_search_result' && typeof r.url === 'string')
    .map((r) => ({ url: r.url as string, ...(typeof r.title === 'string' && { title: r.title }) }));
}

/**
 * What a code execution result block says (`code_execution_tool_result` /
 * `bash_code_execution_tool_result`, content `{stdout, stderr, return_code}` or an error
 * `{error_code}`; docs "Code execution tool"): the printed output and whether it failed.
 * Undefined for other results.
 */
export function codeResultFromWire(b: Json): { output: string; failed: boolean } | undefined {
  if (b.type !== 'code_execution_tool_result' && b.type !== 'bash_code_execution_tool_result') return undefined;
  const c = isRecord(b.content) ? b.content : {};
  if (typeof c.error_code === 'string') return { output: c.error_code, failed: true };
  const output = (typeof c.stdout === 'string' ? c.stdout : '') + (typeof c.stderr === 'string' ? c.stderr : '');
  return { output, failed: typeof c.return_code === 'number' && c.return_code !== 0 };
}

/** Fills a server tool part from its result block: the pages of a search, the output of a code run. */
export function applyResult(call: ServerToolPart, b: Json): void {
  const sources = searchSourcesFromWire(b);
  if (sources.length > 0) call.sources = sources;
  const run = codeResultFromWire(b);
  if (run) {
    call.output = run.output;
    if (run.failed) call.failed = true;
  }
}

/** True for a block holding a server tool's result (`web_search_tool_result`, `code_execution_tool_result`, …). */
export function isServerToolResult(b: Json): boolean {
  return typeof b.type === 'string' && b.type.endsWith('_tool_result') && typeof b.tool_use_id === 'string';
}

/**
 * A server tool run by another provider, for an Anthropic client: `server_tool_use` and, for a web
 * search, its `web_search_tool_result`. Other tools have no result block Anthropic would accept: none.
 */
export function serverToolBlocks(p: ServerToolPart): Json[] {
  if (p.name !== 'web_search') return [];
  const input = safeInput(p.arguments);
  // Only another provider's search reaches this encoder (same-protocol replies pass through).
  const id = foreignItemId('srvtoolu_', p.id);
  return [
    { type: 'server_tool_use', id, name: p.name, input },
    {
      type: 'web_search_tool_result', tool_use_id: id,
      content: (p.sources ?? []).map((s) => ({ type: 'web_search_result', url: s.url, title: s.title ?? s.url, encrypted_content: FOREIGN_PLACEHOLDER, page_age: null })),
    },
  ];
}

function safeInput(json: string): Json {
  try {
    const v: unknown = JSON.parse(json);
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

/**
 * True for a client's `server_tool_use` or server tool result block that another provider's run
 * became (`serverToolBlocks`: id `srvtoolu_oe1_…`, `foreignItemId`). Anthropic cannot verify such
 * a block, so a request decoder drops it rather than keep it for an Anthropic upstream.
 */
export function isForeignServerBlock(block: Json): boolean {
  const id = block.type === 'server_tool_use' ? block.id : isServerToolResult(block) ? block.tool_use_id : undefined;
  return typeof id === 'string' && id.startsWith(foreignItemId('srvtoolu_', ''));
}

/** True when a text block has a citation whose `encrypted_index` is another provider's (`FOREIGN_PLACEHOLDER`). */
export function hasForeignCitation(block: Json): boolean {
  return Array.isArray(block.citations) && block.citations.some((c) => isRecord(c) && typeof c.encrypted_index === 'string' && c.encrypted_index.startsWith(FOREIGN_PLACEHOLDER));
}
