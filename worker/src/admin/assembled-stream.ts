/**
 * A logged stream body read back as what the client saw: the text, the reasoning and the tool
 * calls, assembled from the raw events (issue 15 item 4, "stream bodies shown as the assembled
 * text as well as raw SSE").
 *
 * The body a log keeps is the client's wire text (the inbound protocol's stream, cut to the log
 * size), so it is decoded with that protocol's own stream decoder (protocols/<name>/stream-decode)
 * after the byte-exact SSE reader: the same code that reads an upstream's stream in the relay, no
 * second parser. A Gemini client that did not ask `alt=sse` got the JSON-array stream
 * (`streamGenerateContent` without `alt`): its elements are fed to the decoder one by one.
 *
 * Runs on an admin read of one log (never on the relay path).
 */
import type { FinishReason, ProtocolName, StreamEvent, Usage } from '../protocols/canonical';
import { codecFor } from '../protocols/index';
import { SseReader, type SseEvent } from '../protocols/sse';

/** Leading events that decode to nothing after which a body is taken for not being this protocol's stream. */
const MAX_BARREN_EVENTS = 200;

/** One tool call the stream asked the client to run; `arguments` is the JSON text as streamed. */
export interface AssembledToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What a streamed answer said, in order of its blocks. */
export interface AssembledStream {
  /** The answer's text blocks joined ('' when there was none). */
  text: string;
  /** The reasoning (thinking) text the client was shown, joined ('' when none or hidden). */
  reasoning: string;
  toolCalls: AssembledToolCall[];
  /** `finish_reason`/`stop_reason` mapped to the canonical names; null when the stream never said. */
  finishReason: FinishReason | null;
  /** The last usage the stream reported (tokens); null when none. */
  usage: Usage | null;
  /** An error event in the stream (message as the provider wrote it); null when none. */
  error: string | null;
  /** The stream has no finish: cut by the log size, by the client or by a broken upstream. */
  incomplete: boolean;
}

/**
 * Reassembles a logged client stream body.
 * @param protocol the request's inbound protocol (`protocolIn` of the log)
 * @param body the logged response body (the stream's bytes as text, maybe cut)
 * @returns the assembled answer, or null when the body holds no event of that protocol (e.g. a
 *   JSON error body, or nothing). Never throws on odd input.
 */
export function assembleLoggedStream(protocol: ProtocolName, body: string): AssembledStream | null {
  // A row's protocol comes from the database: one this build has no codec for (a newer version's,
  // a hand-edited row) has nothing to assemble, rather than failing the whole log detail.
  const codec = codecFor(protocol) as ReturnType<typeof codecFor> | undefined;
  if (!codec) return null;
  const events = protocol === 'gemini' && body.trimStart().startsWith('[') ? jsonArrayEvents(body) : sseEvents(body);
  if (events.length === 0) return null;
  const decoder = codec.createStreamDecoder();
  const out: AssembledStream = { text: '', reasoning: '', toolCalls: [], finishReason: null, usage: null, error: null, incomplete: true };
  const tools = new Map<number, AssembledToolCall>();
  let seen = 0;
  const take = (list: StreamEvent[]) => {
    for (const e of list) {
      seen++;
      switch (e.type) {
        case 'text_delta': out.text += e.text; break;
        case 'reasoning_delta': out.reasoning += e.text; break;
        case 'block_start':
          if (e.block.type === 'tool_call') {
            const call = { id: e.block.id, name: e.block.name, arguments: '' };
            tools.set(e.index, call);
            out.toolCalls.push(call);
          }
          break;
        case 'tool_arguments_delta': {
          const call = tools.get(e.index);
          if (call) call.arguments += e.json;
          break;
        }
        case 'usage': out.usage = e.usage; break;
        case 'finish': out.finishReason = e.reason; break;
        case 'error': out.error = e.error.message; break;
        default: break;
      }
    }
  };
  try {
    let barren = 0;
    for (const ev of events) {
      // Every event of the four protocols is a JSON object (OpenAI's `[DONE]` is the one
      // exception): anything else is skipped before the decoder's JSON.parse throws on it, which
      // for a 512 KiB body of tiny junk events cost over a second of blocked event loop.
      const c = ev.data.trimStart()[0];
      if (c !== '{' && c !== '[') continue;
      const before = seen;
      take(decoder.push(ev));
      // A body of events that decode to nothing (not this protocol's stream) is given up early.
      barren = seen > before ? 0 : barren + 1;
      if (seen === 0 && barren >= MAX_BARREN_EVENTS) return null;
    }
    // What the decoder still owes once the body ended (a block to close, a finish held back for
    // usage). Decoders emit a finish only for a stream their protocol's rules call ended.
    take(decoder.end());
  } catch {
    // A decoder is specified never to throw; a body cut mid-event must not break the log page anyway.
  }
  if (seen === 0) return null;
  out.incomplete = out.finishReason === null;
  return out;
}

/** The SSE events of a body; a last event cut without its blank line is dropped (it may be partial). */
function sseEvents(body: string): SseEvent[] {
  const reader = new SseReader(4 * 1024 * 1024);
  try {
    return reader.push(body);
  } catch {
    return [];
  }
}

/**
 * Elements of a Gemini JSON-array stream (`[{…},\r\n{…}]`), as SSE-shaped events for the decoder.
 * A body cut by the log size keeps its complete elements: each is parsed on its own.
 */
function jsonArrayEvents(body: string): SseEvent[] {
  const out: SseEvent[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0 && start >= 0) {
        out.push({ data: body.slice(start, i + 1) });
        start = -1;
      }
    }
  }
  return out;
}
