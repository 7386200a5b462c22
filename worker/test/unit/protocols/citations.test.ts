/**
 * Web search and citations across protocols (issue 13, item 11), built from the two real
 * recordings that hold them — Anthropic `vercel__anthropic-web-search-tool.1` and Responses
 * `vercel__openai-web-search-tool.1`, body and stream — plus a Gemini grounding case written from
 * the API reference (no recording has one). Each upstream is decoded, then encoded for every other
 * client protocol, stream and non-stream; the checks read the client's wire: the cited span of the
 * client's text must be the text the upstream cited, sources and queries must all arrive.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, ProtocolName, StreamEvent, TextPart } from '../../../src/protocols/canonical';
import { splitByCitations } from '../../../src/protocols/anthropic/citations';
import { CitationTracker, place, placeAll, utf16Offset, utf8Offset } from '../../../src/protocols/citations';
import { codecFor } from '../../../src/protocols/index';
import { StreamNormalizer } from '../../../src/protocols/normalize';
import { carriesEnvelope } from '../../../src/protocols/passthrough';
import { serverToolLogFields } from '../../../src/relay/record';
import { fixturesDir, wireEvents } from '../../upstream/recordings';
import { decodeThrough } from './stream-harness';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(fixturesDir(), name), 'utf8'));
const ANTHROPIC = 'anthropic/vercel__anthropic-web-search-tool.1';
const RESPONSES = 'openai-responses/vercel__openai-web-search-tool.1';

function request(protocol: ProtocolName, stream: boolean): CanonicalRequest {
  return { model: 'search-group', system: [], messages: [], tools: [], sampling: {}, stream, includeUsage: true, extensions: { protocol, fields: {} } };
}

/** Canonical events of a recorded upstream stream, normalized as the relay does. */
function upstreamEvents(protocol: ProtocolName, name: string): StreamEvent[] {
  return decodeThrough(codecFor(protocol).createStreamDecoder(), wireEvents(`${name}.chunks.txt`));
}

/** The client's stream bytes for canonical events. */
function clientStream(client: ProtocolName, events: StreamEvent[]): string {
  const enc = codecFor(client).createStreamEncoder(request(client, true));
  return events.map((e) => enc.push(e)).join('') + enc.end();
}

/** JSON payloads of `data:` lines. */
const dataOf = (sse: string): any[] => sse.split(/\r?\n/).filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)));

/** What the upstream cited: [cited text, url] pairs, from the canonical response. */
function citedPairs(res: CanonicalResponse): Array<[string, string]> {
  return res.content.filter((p): p is TextPart => p.type === 'text').flatMap((p) => (p.citations ?? []).map((c) => {
    const placed = place(c, 0, p.text.length);
    return [p.text.slice(placed.start, placed.end), c.url] as [string, string];
  }));
}

/** Canonical responses of the two recordings, and what they cite. */
const anthropicBody = codecFor('anthropic').decodeResponse(fixture(`${ANTHROPIC}.json`));
const responsesBody = codecFor('openai-responses').decodeResponse(fixture(`${RESPONSES}.json`));

describe('citation placement helpers', () => {
  it('places a whole-part citation and a span, clamped to the part', () => {
    expect(place({ url: 'u' }, 10, 5)).toMatchObject({ start: 10, end: 15 });
    expect(place({ url: 'u', start: 2, end: 99 }, 10, 5)).toMatchObject({ start: 12, end: 15 });
    expect(placeAll([{ text: 'ab' }, { text: 'cde', citations: [{ url: 'u' }] }]).map((p) => [p.start, p.end])).toEqual([[2, 5]]);
  });

  it('converts UTF-16 offsets to UTF-8 bytes and back (accents, CJK, emoji)', () => {
    const text = 'é水😀x';
    expect([0, 1, 2, 4, 5].map((i) => utf8Offset(text, i))).toEqual([0, 2, 5, 9, 10]);
    expect([0, 2, 5, 9, 10].map((b) => utf16Offset(text, b))).toEqual([0, 1, 2, 4, 5]);
  });

  it('cuts a text for an Anthropic client: one block per cited span, text between on its own', () => {
    const text = 'Intro. Cited one. Both. End';
    const a = { url: 'a', start: 7, end: 23 };
    const b = { url: 'b', start: 18, end: 23 };
    expect(splitByCitations(text, [a, b]).map((s) => [s.text, s.citations.map((c) => c.url)])).toEqual([
      ['Intro. ', []], ['Cited one. ', ['a']], ['Both.', ['a', 'b']], [' End', []],
    ]);
    expect(splitByCitations(text, [{ url: 'whole' }, a])).toEqual([{ text, citations: [{ url: 'whole' }, a] }]);
  });

  it('tracks stream blocks: a citation sent before its text spans the whole block once it ends', () => {
    const t = new CitationTracker();
    t.text(0, 'Hello ');
    t.cite(1, { url: 'u' });
    t.text(1, 'cited');
    t.text(1, ' text');
    expect(t.end(0)).toEqual([]);
    expect(t.end(1).map((p) => [p.start, p.end])).toEqual([[6, 16]]);
  });
});

describe('the normalizer and citations', () => {
  const run = (events: StreamEvent[]) => {
    const n = new StreamNormalizer(() => 'id');
    return [...events.flatMap((e) => n.push(e)), ...n.end()];
  };

  it('holds a citation sent before its block has text, then sends it after the block starts', () => {
    const out = run([
      { type: 'start', id: 'a', model: 'm', created: 1 },
      { type: 'block_start', index: 3, block: { type: 'text' } },
      { type: 'citation', index: 3, citation: { url: 'u' } },
      { type: 'text_delta', index: 3, text: 'x' },
      { type: 'block_end', index: 3 },
      { type: 'block_start', index: 4, block: { type: 'text' } },
      { type: 'citation', index: 4, citation: { url: 'never shown' } },
      { type: 'block_end', index: 4 },
      { type: 'server_tool', tool: { type: 'server_tool', id: 's', name: 'web_search', arguments: '{}' } },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(out.map((e) => e.type)).toEqual(['start', 'block_start', 'citation', 'text_delta', 'block_end', 'server_tool', 'finish']);
    expect(out[2]).toEqual({ type: 'citation', index: 0, citation: { url: 'u' } });
  });
});

describe('Anthropic web search → OpenAI Chat client', () => {
  it('non-stream: every citation is a url_citation annotation over the cited text of `content`', () => {
    const body = codecFor('openai-chat').encodeResponse(anthropicBody, request('openai-chat', false)) as any;
    const content: string = body.choices[0].message.content;
    const annotations = body.choices[0].message.annotations;
    expect(annotations.length).toBe(citedPairs(anthropicBody).length);
    expect(annotations.map((a: any) => [content.slice(a.url_citation.start_index, a.url_citation.end_index), a.url_citation.url])).toEqual(citedPairs(anthropicBody));
    expect(annotations[0]).toEqual({ type: 'url_citation', url_citation: expect.objectContaining({ title: expect.any(String) }) });
  });

  it('stream: annotations in delta.annotations, spans over the streamed content; no annotations without search', () => {
    const events = upstreamEvents('anthropic', ANTHROPIC);
    const chunks = dataOf(clientStream('openai-chat', events));
    let content = '';
    const got: Array<[number, number, string]> = [];
    for (const c of chunks) {
      const d = c.choices?.[0]?.delta;
      if (typeof d?.content === 'string') content += d.content;
      for (const a of d?.annotations ?? []) got.push([a.url_citation.start_index, a.url_citation.end_index, a.url_citation.url]);
    }
    const wire = readFileSync(path.join(fixturesDir(), `${ANTHROPIC}.chunks.txt`), 'utf8').split('\n').filter((l) => l.includes('citations_delta')).length;
    expect(got.length).toBe(wire);
    // Each annotation covers exactly one whole cited Anthropic text block.
    const blocks = blockTexts(events);
    for (const [s, e, url] of got) {
      expect(blocks.some((b) => b.text === content.slice(s, e) && b.urls.includes(url))).toBe(true);
    }
  });
});

/** Text blocks of canonical events with the urls cited on them. */
function blockTexts(events: StreamEvent[]) {
  const m = new Map<number, { text: string; urls: string[] }>();
  for (const e of events) {
    if (e.type === 'text_delta') m.set(e.index, { text: (m.get(e.index)?.text ?? '') + e.text, urls: m.get(e.index)?.urls ?? [] });
    if (e.type === 'citation') m.set(e.index, { text: m.get(e.index)?.text ?? '', urls: [...(m.get(e.index)?.urls ?? []), e.citation.url] });
  }
  return [...m.values()].filter((b) => b.urls.length > 0);
}

describe('Anthropic web search → OpenAI Responses client', () => {
  it('non-stream: web_search_call items with query and pages, url_citation annotations on each message', () => {
    const body = codecFor('openai-responses').encodeResponse(anthropicBody, request('openai-responses', false)) as any;
    const calls = body.output.filter((o: any) => o.type === 'web_search_call');
    const wire = fixture(`${ANTHROPIC}.json`).content.filter((b: any) => b.type === 'server_tool_use');
    expect(calls.map((c: any) => c.action.query)).toEqual(wire.map((b: any) => b.input.query));
    expect(calls[0]).toMatchObject({ id: `ws_oe1_${wire[0].id}`, status: 'completed', action: { type: 'search', sources: expect.any(Array) } });
    expect(calls[0].action.sources.length).toBe(10);
    expect(body.output[0].type).toBe('web_search_call'); // in the order the upstream ran it
    // Codex sends these items back: a mixed group must convert that history, not pass it to OpenAI.
    expect(carriesEnvelope(JSON.stringify({ input: [calls[1]] }))).toBe(true);
    expect(carriesEnvelope(readFileSync(path.join(fixturesDir(), `${RESPONSES}.json`), 'utf8'))).toBe(false);
    const pairs = body.output.filter((o: any) => o.type === 'message').flatMap((m: any) => m.content[0].annotations.map((a: any) => [m.content[0].text.slice(a.start_index, a.end_index), a.url]));
    expect(pairs).toEqual(citedPairs(anthropicBody));
  });

  it('stream: web_search_call events, annotation.added before output_text.done, annotations in the done item', () => {
    const payloads = dataOf(clientStream('openai-responses', upstreamEvents('anthropic', ANTHROPIC)));
    const types = payloads.map((p) => p.type);
    const added = types.indexOf('response.web_search_call.in_progress');
    expect(types.slice(added - 1, added + 4)).toEqual([
      'response.output_item.added', 'response.web_search_call.in_progress', 'response.web_search_call.searching',
      'response.web_search_call.completed', 'response.output_item.done',
    ]);
    expect(payloads[added + 3].item).toMatchObject({ type: 'web_search_call', action: { type: 'search', query: 'tech news today September 26 2025' } });
    const annotated = payloads.filter((p) => p.type === 'response.output_text.annotation.added');
    expect(annotated.length).toBeGreaterThan(0);
    for (const a of annotated) {
      const done = payloads.find((p) => p.type === 'response.output_text.done' && p.item_id === a.item_id);
      expect(payloads.indexOf(done)).toBeGreaterThan(payloads.indexOf(a));
      expect(a.annotation.end_index).toBe(done.text.length); // an Anthropic citation covers its block
    }
    const completed = payloads.find((p) => p.type === 'response.completed').response;
    const inItems = completed.output.filter((o: any) => o.type === 'message').flatMap((m: any) => m.content[0].annotations);
    expect(inItems).toEqual(annotated.map((a) => a.annotation));
    expect(payloads.map((p) => p.sequence_number)).toEqual(payloads.map((_, i) => i));
  });
});

describe('Anthropic web search → Gemini client', () => {
  const check = (candidate: any, text: string) => {
    const g = candidate.groundingMetadata;
    expect(g.webSearchQueries.length).toBeGreaterThan(0);
    const bytes = new TextEncoder().encode(text);
    for (const s of g.groundingSupports) {
      expect(new TextDecoder().decode(bytes.subarray(s.segment.startIndex, s.segment.endIndex))).toBe(s.segment.text);
      for (const i of s.groundingChunkIndices) expect(g.groundingChunks[i].web.uri).toMatch(/^https:/);
    }
    return g;
  };

  it('non-stream: groundingMetadata with queries, chunks and byte-offset supports', () => {
    const body = codecFor('gemini').encodeResponse(anthropicBody, request('gemini', false)) as any;
    const cand = body.candidates[0];
    const text = cand.content.parts.filter((p: any) => !p.thought).map((p: any) => p.text ?? '').join('');
    const g = check(cand, text);
    expect(g.webSearchQueries).toEqual(fixture(`${ANTHROPIC}.json`).content.filter((b: any) => b.type === 'server_tool_use').map((b: any) => b.input.query));
    const supported = g.groundingSupports.flatMap((s: any) => s.groundingChunkIndices.map((i: number) => [s.segment.text, g.groundingChunks[i].web.uri]));
    expect(new Set(supported.map((x: string[]) => x.join('|')))).toEqual(new Set(citedPairs(anthropicBody).map((x) => x.join('|'))));
  });

  it('stream: groundingMetadata on the final chunk, offsets in the streamed text', () => {
    const chunks = dataOf(clientStream('gemini', upstreamEvents('anthropic', ANTHROPIC)));
    const text = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).filter((p: any) => !p.thought).map((p: any) => p.text ?? '').join('');
    const last = chunks.at(-1).candidates[0];
    expect(last.finishReason).toBe('STOP');
    const g = check(last, text);
    expect(g.webSearchQueries).toEqual(['tech news today September 26 2025']);
    expect(g.groundingSupports.length).toBe(9); // nine cited blocks in the recording
    expect(chunks.slice(0, -1).some((c) => c.candidates?.[0]?.groundingMetadata)).toBe(false);
  });
});

describe('OpenAI Responses web search → Anthropic client', () => {
  it('non-stream: server_tool_use + web_search_tool_result, citations on text, search count; such a history is never passed through', () => {
    const body = codecFor('anthropic').encodeResponse(responsesBody, request('anthropic', false)) as any;
    const uses = body.content.filter((b: any) => b.type === 'server_tool_use');
    const results = body.content.filter((b: any) => b.type === 'web_search_tool_result');
    const wire = fixture(`${RESPONSES}.json`).output.filter((o: any) => o.type === 'web_search_call');
    expect(uses.map((u: any) => u.id)).toEqual(wire.map((w: any) => `srvtoolu_oe1_${w.id}`));
    expect(results.map((u: any) => u.tool_use_id)).toEqual(uses.map((u: any) => u.id));
    expect(uses[0].input).toEqual({ query: wire[0].action.query });
    expect(results[0].content.map((r: any) => r.url)).toEqual(wire[0].action.sources.map((s: any) => s.url));
    // Each cited span is a text block of its own with its citation; joined, the blocks are the answer.
    const texts = body.content.filter((b: any) => b.type === 'text');
    expect(texts.map((b: any) => b.text).join('')).toBe(responsesBody.content.find((p) => p.type === 'text')!.text);
    const cited = texts.filter((b: any) => b.citations);
    expect(cited.map((b: any) => [b.text, b.citations.map((c: any) => c.url).join()])).toEqual(citedPairs(responsesBody));
    const text = cited[0];
    expect(text.citations[0]).toMatchObject({ type: 'web_search_result_location', title: expect.any(String), cited_text: '', encrypted_index: 'oe1_' });
    expect(body.usage.server_tool_use).toEqual({ web_search_requests: wire.length });
    // The client sends this history back: it must be converted, not passed to Anthropic as its own data.
    expect(carriesEnvelope(JSON.stringify({ messages: [{ role: 'assistant', content: body.content }] }))).toBe(true);
    expect(carriesEnvelope(JSON.stringify({ messages: [{ role: 'assistant', content: [text] }] }))).toBe(true); // a cited text alone
    expect(carriesEnvelope(JSON.stringify({ messages: [{ role: 'assistant', content: [uses[0], { ...results[0], content: [] }] }] }))).toBe(true); // a search that found nothing
    expect(carriesEnvelope(readFileSync(path.join(fixturesDir(), `${ANTHROPIC}.json`), 'utf8'))).toBe(false);
  });

  it('next turn to an Anthropic upstream: the foreign search blocks and citations are dropped, the text and own search kept', () => {
    const foreign = codecFor('anthropic').encodeResponse(responsesBody, request('anthropic', false)) as any;
    const own = fixture(`${ANTHROPIC}.json`).content;
    const body = {
      model: 'search-group', max_tokens: 100,
      messages: [
        { role: 'user', content: 'news?' }, { role: 'assistant', content: foreign.content },
        { role: 'user', content: 'more?' }, { role: 'assistant', content: own },
        { role: 'user', content: 'thanks' },
      ],
    };
    const anthropic = codecFor('anthropic');
    const up = anthropic.encodeRequest(anthropic.decodeRequest(body, {}), 'claude-x') as any;
    const [first, , second] = up.messages.slice(1);
    expect(JSON.stringify(first)).not.toContain('oe1_');
    expect(new Set(first.content.map((b: any) => b.type))).toEqual(new Set(['text']));
    expect(first.content.map((b: any) => b.text).join('')).toBe(foreign.content.filter((b: any) => b.type === 'text').map((b: any) => b.text).join(''));
    // Anthropic's own search history is untouched (kept for an Anthropic upstream).
    expect(second.content.filter((b: any) => b.type === 'server_tool_use').length).toBe(2);
    expect(second.content.filter((b: any) => b.citations?.length).length).toBe(own.filter((b: any) => b.citations?.length).length);
  });

  it('stream: citations_delta on the text block, server tool blocks, search count in message_delta', () => {
    const sse = clientStream('anthropic', upstreamEvents('openai-responses', RESPONSES));
    const payloads = dataOf(sse);
    const starts = payloads.filter((p) => p.type === 'content_block_start').map((p) => p.content_block.type);
    // Six web_search_call items: two searches, one open_page, three find_in_page (their action as input).
    const uses = payloads.filter((p) => p.type === 'content_block_start' && p.content_block.type === 'server_tool_use');
    expect(uses).toHaveLength(6);
    expect(starts.filter((t) => t === 'web_search_tool_result')).toHaveLength(6);
    const input = payloads.find((p) => p.type === 'content_block_delta' && p.index === uses[0].index).delta.partial_json;
    expect(JSON.parse(input)).toEqual({ query: 'tech news today December 5 2025' });
    const cites = payloads.filter((p) => p.type === 'content_block_delta' && p.delta.type === 'citations_delta');
    expect(cites).toHaveLength(12);
    const textIndex = payloads.find((p) => p.type === 'content_block_start' && p.content_block.type === 'text').index;
    expect(cites.every((c) => c.index === textIndex)).toBe(true);
    expect(payloads.find((p) => p.type === 'message_delta').usage.server_tool_use).toEqual({ web_search_requests: 6 });
    // Indexes stay dense and every block is stopped.
    const indexes = payloads.filter((p) => p.type === 'content_block_start').map((p) => p.index);
    expect(indexes).toEqual(indexes.map((_, i) => i));
    expect(payloads.filter((p) => p.type === 'content_block_stop')).toHaveLength(indexes.length);
  });
});

describe('read back by the official SDKs', () => {
  it('@anthropic-ai/sdk rebuilds the citations, server tool blocks and search count from the Anthropic stream', async () => {
    const wire = clientStream('anthropic', upstreamEvents('openai-responses', RESPONSES));
    const client = new Anthropic({ apiKey: 'k', baseURL: 'http://stub.test', maxRetries: 0, fetch: async () => new Response(wire, { headers: { 'content-type': 'text/event-stream' } }) });
    const message = await client.messages.stream({ model: 'search-group', max_tokens: 100, messages: [{ role: 'user', content: 'news?' }] }).finalMessage();
    const text = message.content.find((b) => b.type === 'text') as Anthropic.TextBlock;
    expect(text.citations).toHaveLength(12);
    expect(message.content.filter((b) => b.type === 'server_tool_use')).toHaveLength(6);
    expect((message.content.find((b) => b.type === 'server_tool_use') as Anthropic.ServerToolUseBlock).input).toEqual({ query: 'tech news today December 5 2025' });
    expect(message.usage.server_tool_use).toEqual({ web_search_requests: 6 });
  });

  it('openai SDK reads the Chat annotations of a converted Anthropic reply', async () => {
    const body = codecFor('openai-chat').encodeResponse(anthropicBody, request('openai-chat', false));
    const client = new OpenAI({ apiKey: 'k', baseURL: 'http://stub.test', maxRetries: 0, fetch: async () => Response.json(body) });
    const completion = await client.chat.completions.create({ model: 'search-group', messages: [{ role: 'user', content: 'news?' }] });
    const annotations = completion.choices[0]!.message.annotations!;
    expect(annotations.length).toBe(citedPairs(anthropicBody).length);
    const content = completion.choices[0]!.message.content!;
    const a = annotations[0]!.url_citation;
    expect([content.slice(a.start_index, a.end_index), a.url]).toEqual(citedPairs(anthropicBody)[0]);
  });
});

describe('OpenAI Responses web search → Chat and Gemini clients', () => {
  it('Chat non-stream and stream: the upstream spans, unchanged', () => {
    const body = codecFor('openai-chat').encodeResponse(responsesBody, request('openai-chat', false)) as any;
    const wire = fixture(`${RESPONSES}.json`).output.find((o: any) => o.type === 'message').content[0].annotations;
    expect(body.choices[0].message.annotations.map((a: any) => [a.url_citation.start_index, a.url_citation.end_index])).toEqual(wire.map((a: any) => [a.start_index, a.end_index]));
    const chunks = dataOf(clientStream('openai-chat', upstreamEvents('openai-responses', RESPONSES)));
    const streamed = chunks.flatMap((c) => c.choices?.[0]?.delta?.annotations ?? []);
    expect(streamed.length).toBe(12);
    const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
    for (const a of streamed) expect(content.slice(a.url_citation.start_index, a.url_citation.end_index)).toMatch(/^\(\[.*\)\)$/s);
  });

  it('Gemini stream: supports in bytes of the streamed text, every search query', () => {
    const chunks = dataOf(clientStream('gemini', upstreamEvents('openai-responses', RESPONSES)));
    const g = chunks.at(-1).candidates[0].groundingMetadata;
    const text = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).filter((p: any) => !p.thought).map((p: any) => p.text ?? '').join('');
    const bytes = new TextEncoder().encode(text);
    expect(g.groundingSupports.length).toBe(12);
    for (const s of g.groundingSupports) expect(new TextDecoder().decode(bytes.subarray(s.segment.startIndex, s.segment.endIndex))).toBe(s.segment.text);
    expect(g.webSearchQueries).toEqual(['tech news today December 5 2025', 'site:theverge.com "December 5, 2025" "technology"']);
  });
});

describe('Gemini groundingMetadata upstream (written from the API reference: no recording has one)', () => {
  // Non-ASCII text so byte offsets differ from character offsets: "Café prices rose. 東京 grew."
  const first = 'Café prices rose.';
  const second = ' 東京 grew.';
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  const grounding = {
    webSearchQueries: ['cafe prices', 'tokyo growth'],
    groundingChunks: [{ web: { uri: 'https://a.example/cafe', title: 'a.example' } }, { web: { uri: 'https://b.example/tokyo', title: 'b.example' } }],
    groundingSupports: [
      { segment: { startIndex: 0, endIndex: bytes(first), text: first }, groundingChunkIndices: [0] },
      { segment: { startIndex: bytes(first) + 1, endIndex: bytes(first + second), text: second.slice(1) }, groundingChunkIndices: [1, 0] },
    ],
  };
  const chunks = [
    { candidates: [{ content: { role: 'model', parts: [{ text: first }] }, index: 0 }], responseId: 'r1', modelVersion: 'gemini-x' },
    {
      candidates: [{ content: { role: 'model', parts: [{ text: second }] }, finishReason: 'STOP', index: 0, groundingMetadata: grounding }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 }, responseId: 'r1', modelVersion: 'gemini-x',
    },
  ];
  const expected = [
    { url: 'https://a.example/cafe', title: 'a.example', start: 0, end: first.length },
    { url: 'https://b.example/tokyo', title: 'b.example', start: first.length + 1, end: (first + second).length },
    { url: 'https://a.example/cafe', title: 'a.example', start: first.length + 1, end: (first + second).length },
  ];

  it('non-stream: citations with UTF-16 spans, searches, search count', () => {
    const res = codecFor('gemini').decodeResponse(chunks);
    const text = res.content.find((p): p is TextPart => p.type === 'text')!;
    expect(text.text).toBe(first + second);
    expect(text.citations).toEqual(expected);
    expect(res.content.filter((p) => p.type === 'server_tool').map((p) => (p as any).arguments)).toEqual(['{"query":"cafe prices"}', '{"query":"tokyo growth"}']);
    expect(res.usage.webSearchRequests).toBe(2);
  });

  it('stream (metadata repeated on two chunks counts once) → Chat annotations and Responses items', () => {
    const twice = [chunks[0], { ...chunks[0], candidates: [{ content: { role: 'model', parts: [] }, index: 0, groundingMetadata: { webSearchQueries: ['cafe prices'] } }] }, chunks[1]];
    const sse = new TextEncoder().encode(twice.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join(''));
    const events = decodeThrough(codecFor('gemini').createStreamDecoder(), [sse]);
    expect(events.filter((e) => e.type === 'citation').map((e) => (e as any).citation)).toEqual(expected);
    expect(events.filter((e) => e.type === 'server_tool')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'usage').at(-1)).toMatchObject({ usage: { webSearchRequests: 2 } });
    const chat = dataOf(clientStream('openai-chat', events)).flatMap((c) => c.choices?.[0]?.delta?.annotations ?? []);
    expect(chat.map((a: any) => [(first + second).slice(a.url_citation.start_index, a.url_citation.end_index), a.url_citation.url])).toEqual([
      [first, 'https://a.example/cafe'], ['東京 grew.', 'https://b.example/tokyo'], ['東京 grew.', 'https://a.example/cafe'],
    ]);
    const responses = dataOf(clientStream('openai-responses', events));
    expect(responses.filter((p) => p.type === 'response.output_item.done' && p.item.type === 'web_search_call').map((p) => p.item.action.query)).toEqual(['cafe prices', 'tokyo growth']);
  });
});

describe('server tool usage reaches accounting', () => {
  it('logs the search count of a record, nothing without searches', () => {
    const base = { id: 'r', time: 0, apiKeyId: 1, groupName: 'g', channelId: 2, upstreamModel: 'claude', protocolIn: 'openai-chat' as const, protocolOut: 'anthropic' as const, stream: false, status: 200, ok: true, attempts: [], costNanoUsd: 0, latencyMs: 1, ttftMs: null, error: null };
    expect(serverToolLogFields({ ...base, usage: anthropicBody.usage })).toEqual({ requestId: 'r', group: 'g', channelId: 2, upstreamModel: 'claude', webSearchRequests: 2 });
    expect(serverToolLogFields({ ...base, usage: { input: 1, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0 } })).toBeUndefined();
    expect(serverToolLogFields({ ...base, usage: null })).toBeUndefined();
  });
});

describe('OpenAI Chat upstream annotations (written from the API reference: no Chat recording has them)', () => {
  const content = 'Intro. Rain is likely in Paris today.';
  const start = content.indexOf('Rain');
  const annotation = { type: 'url_citation', url_citation: { start_index: start, end_index: content.length, url: 'https://w.example/paris', title: 'Paris weather' } };
  const expected = { url: 'https://w.example/paris', title: 'Paris weather', start, end: content.length };

  it('non-stream: message.annotations → citations of the text → a Gemini client’s groundingMetadata', () => {
    const res = codecFor('openai-chat').decodeResponse({
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-search-preview',
      choices: [{ index: 0, message: { role: 'assistant', content, annotations: [annotation] }, finish_reason: 'stop' }],
    });
    expect(res.content).toEqual([{ type: 'text', text: content, citations: [expected] }]);
    const gemini = codecFor('gemini').encodeResponse(res, request('gemini', false)) as any;
    expect(gemini.candidates[0].groundingMetadata.groundingSupports).toEqual([{ segment: { startIndex: start, endIndex: content.length, text: content.slice(start) }, groundingChunkIndices: [0] }]);
  });

  it('stream: delta.annotations → a citation of the open text block, also in OpenRouter’s flat form', () => {
    const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const sse = new TextEncoder().encode(chunk({ role: 'assistant', content: content.slice(0, 10) }) + chunk({ content: content.slice(10) })
      + chunk({ annotations: [annotation, { type: 'url_citation', url: 'https://flat.example', title: 'Flat' }] }, 'stop') + 'data: [DONE]\n\n');
    const events = decodeThrough(codecFor('openai-chat').createStreamDecoder(), [sse]);
    expect(events.filter((e) => e.type === 'citation').map((e) => (e as any).citation)).toEqual([expected, { url: 'https://flat.example', title: 'Flat' }]);
    const anthropic = dataOf(clientStream('anthropic', events)).filter((p) => p.delta?.type === 'citations_delta').map((p) => p.delta.citation.url);
    expect(anthropic).toEqual(['https://w.example/paris', 'https://flat.example']);
  });
});

describe('code execution (Anthropic recording vercel__anthropic-code-execution-20260120-prompt-cache.1)', () => {
  const CODE = 'anthropic/vercel__anthropic-code-execution-20260120-prompt-cache.1';
  const payloads = readFileSync(path.join(fixturesDir(), `${CODE}.chunks.txt`), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  /** The Message body the same blocks make (the recording is a stream): blocks with their deltas applied. */
  const body = (() => {
    const blocks: any[] = [];
    const json: string[] = [];
    for (const p of payloads) {
      if (p.type === 'content_block_start') blocks[p.index] = structuredClone(p.content_block);
      if (p.type === 'content_block_delta' && p.delta.type === 'text_delta') blocks[p.index].text += p.delta.text;
      if (p.type === 'content_block_delta' && p.delta.type === 'input_json_delta') json[p.index] = (json[p.index] ?? '') + p.delta.partial_json;
    }
    json.forEach((j, i) => { if (j) blocks[i].input = JSON.parse(j); });
    return { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-5', content: blocks, stop_reason: 'end_turn', usage: payloads.at(-2).usage };
  })();
  const runs = [
    { command: 'for n in $(seq 1 12); do echo "$n: $((n*n))"; done', stdout: '1: 1\n2: 4\n3: 9\n4: 16\n5: 25\n6: 36\n7: 49\n8: 64\n9: 81\n10: 100\n11: 121\n12: 144\n' },
    { command: 'sum=0; for n in $(seq 1 12); do sum=$((sum + n*n)); done; echo "Sum: $sum"', stdout: 'Sum: 650\n' },
  ];

  it('decodes both runs with their command and output, stream and body alike', () => {
    const expected = runs.map((r, i) => ({
      type: 'server_tool', id: body.content[i * 2].id, name: 'bash_code_execution', arguments: JSON.stringify({ command: r.command }), output: r.stdout,
    }));
    const events = upstreamEvents('anthropic', CODE);
    const streamed = events.filter((e) => e.type === 'server_tool').map((e) => (e as any).tool);
    expect(streamed.map((t: any) => ({ ...t, arguments: JSON.stringify(JSON.parse(t.arguments)) }))).toEqual(expected);
    const res = codecFor('anthropic').decodeResponse(body);
    expect(res.content.filter((p) => p.type === 'server_tool')).toEqual(expected);
  });

  it('Responses client: code_interpreter_call items (body), and their events in order (stream)', () => {
    const out = (codecFor('openai-responses').encodeResponse(codecFor('anthropic').decodeResponse(body), request('openai-responses', false)) as any).output;
    expect(out.map((o: any) => o.type)).toEqual(['code_interpreter_call', 'code_interpreter_call', 'message']);
    expect(out[1]).toEqual({ id: `ci_oe1_${body.content[2].id}`, type: 'code_interpreter_call', container_id: '', status: 'completed', code: runs[1]!.command, outputs: [{ type: 'logs', logs: runs[1]!.stdout }] });
    const events = dataOf(clientStream('openai-responses', upstreamEvents('anthropic', CODE)));
    const first = events.findIndex((p) => p.type === 'response.code_interpreter_call.in_progress');
    expect(events.slice(first - 1, first + 6).map((p) => p.type)).toEqual([
      'response.output_item.added', 'response.code_interpreter_call.in_progress', 'response.code_interpreter_call_code.delta',
      'response.code_interpreter_call_code.done', 'response.code_interpreter_call.interpreting', 'response.code_interpreter_call.completed', 'response.output_item.done',
    ]);
    expect(events[first + 2].code).toBe(runs[0]!.command);
    expect(events.find((p) => p.type === 'response.completed').response.output.filter((o: any) => o.type === 'code_interpreter_call')).toHaveLength(2);
  });

  it('Gemini client: executableCode + codeExecutionResult parts before the answer (body and stream)', () => {
    const parts = (codecFor('gemini').encodeResponse(codecFor('anthropic').decodeResponse(body), request('gemini', false)) as any).candidates[0].content.parts;
    expect(parts.slice(0, 2)).toEqual([
      { executableCode: { language: 'LANGUAGE_UNSPECIFIED', code: runs[0]!.command } },
      { codeExecutionResult: { outcome: 'OUTCOME_OK', output: runs[0]!.stdout } },
    ]);
    expect(parts.at(-1).text).toContain('650');
    const streamed = dataOf(clientStream('gemini', upstreamEvents('anthropic', CODE))).flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
    expect(streamed.filter((p: any) => p.codeExecutionResult).map((p: any) => p.codeExecutionResult.output)).toEqual(runs.map((r) => r.stdout));
    expect(streamed.findIndex((p: any) => p.executableCode)).toBeLessThan(streamed.findIndex((p: any) => typeof p.text === 'string' && p.text !== ''));
  });

  it('Gemini upstream code parts and a Responses code_interpreter_call decode to the same canonical run', () => {
    const chunk = {
      candidates: [{ content: { role: 'model', parts: [
        { executableCode: { language: 'PYTHON', code: 'print(6*7)' } }, { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '42\n' } }, { text: 'It is 42.' },
      ] }, finishReason: 'STOP', index: 0 }], responseId: 'r', modelVersion: 'g',
    };
    const g = codecFor('gemini').decodeResponse(chunk);
    expect(g.content[0]).toMatchObject({ type: 'server_tool', name: 'code_execution', arguments: '{"code":"print(6*7)","language":"python"}', output: '42\n' });
    const r = codecFor('openai-responses').decodeResponse({
      id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'gpt-x',
      output: [{ id: 'ci_1', type: 'code_interpreter_call', status: 'completed', code: 'print(6*7)', container_id: 'c', outputs: [{ type: 'logs', logs: '42\n' }] }],
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
    });
    expect(r.content[0]).toEqual({ type: 'server_tool', id: 'ci_1', name: 'code_execution', arguments: '{"code":"print(6*7)"}', output: '42\n' });
    // Chat has no slot: the run is left out, the text stays.
    const chat = codecFor('openai-chat').encodeResponse(g, request('openai-chat', false)) as any;
    expect(chat.choices[0].message.content).toBe('It is 42.');
  });
});
