#!/usr/bin/env node
/**
 * The benchmark's loopback upstream: OpenAI Chat Completions (`POST …/chat/completions`) and
 * Anthropic Messages (`POST …/messages`), non-stream and stream, as cheap as a server can be so
 * that what is measured is whatever sits between the client and it. Plain JavaScript, run with
 * `node` (no loader), in its own process so it never shares an event loop with a load generator.
 *
 *   node bench/e2e/mock-upstream.mjs --port 0 --latency 0 --chunks 20 --gap 5
 *
 * - `--latency MS`: wait before the response head (0: answer in the same tick).
 * - `--chunks N --gap MS`: a stream carries N content deltas, MS apart, then the finish chunk and a
 *   usage chunk (OpenAI: `choices: []` + `usage`, then `data: [DONE]`; Anthropic: `message_delta`
 *   with `usage`, then `message_stop`). Shapes follow the recordings in ../shared/fixtures
 *   (openai-chat/vercel__openai-text.*, anthropic/vercel__anthropic-text.*).
 * - Prints `{"port":N}` as its first stdout line once listening.
 *
 * Proof that an answer came from here: every request body carries a marker `bench <id>` in its
 * user message (the load generators make each one unique). The mock counts requests per path,
 * the markers it saw, markers seen twice (a retry would show here), bodies with no marker, and
 * requests per run (the marker is `bench <run>-<…>`, run id alphanumeric), TCP connections accepted. `GET /__counts[?run=ID]`
 * returns those counts (`run`: that run's requests); `POST /__reset` zeroes them. Neither is counted.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    latency: { type: 'string', default: '0' },
    chunks: { type: 'string', default: '20' },
    gap: { type: 'string', default: '5' },
  },
});
const latencyMs = Number(opt.latency);
const chunks = Number(opt.chunks);
const gapMs = Number(opt.gap);

const counts = { total: 0, chat: 0, messages: 0, stream: 0, other: 0, noMarker: 0, duplicates: 0, connections: 0 };
let seen = new Set();
/** Requests per run id (the marker's part before the first '-'), so a late request of an earlier run is not counted in this one. */
let byRun = new Map();

const MARKER = /bench (([A-Za-z0-9]+)-[\w-]+)/;
const STREAM = /"stream"\s*:\s*true/;
const TEXT = 'Galaxy Day celebrates the universe, its vastness and beauty, and our shared curiosity about the stars. ';

const created = Math.floor(Date.now() / 1000);
const chatJson = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created, model: 'gpt-4.1-nano-2025-04-14',
  choices: [{ index: 0, message: { role: 'assistant', content: TEXT.repeat(3), refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 16, completion_tokens: 60, total_tokens: 76, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
  service_tier: 'default', system_fingerprint: 'fp_bench',
});
const messagesJson = JSON.stringify({
  model: 'claude-sonnet-4-5-20250929', id: 'msg_bench', type: 'message', role: 'assistant',
  content: [{ type: 'text', text: TEXT.repeat(3) }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 60, service_tier: 'standard' },
});

/** One OpenAI Chat stream, as the frames to write: [first, ...content, finish + usage + [DONE]]. */
function chatFrames() {
  const base = `{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${created},"model":"gpt-4.1-nano-2025-04-14","system_fingerprint":"fp_bench",`;
  const delta = (d, finish) => `data: ${base}"choices":[{"index":0,"delta":${d},"logprobs":null,"finish_reason":${finish}}],"usage":null}\n\n`;
  const frames = [delta('{"role":"assistant","content":""}', 'null')];
  for (let i = 0; i < chunks; i++) frames.push(delta(JSON.stringify({ content: `word${i} ` }), 'null'));
  frames.push(delta('{}', '"stop"')
    + `data: ${base}"choices":[],"usage":{"prompt_tokens":16,"completion_tokens":${chunks},"total_tokens":${16 + chunks},"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}\n\n`
    + 'data: [DONE]\n\n');
  return frames;
}

/** One Anthropic Messages stream, same cadence: [message_start + block start, ...deltas, stop + usage]. */
function messagesFrames() {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const frames = [
    ev('message_start', { message: { model: 'claude-sonnet-4-5-20250929', id: 'msg_bench', type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' } } })
      + ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (let i = 0; i < chunks; i++) frames.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `word${i} ` } }));
  frames.push(ev('content_block_stop', { index: 0 })
    + ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: chunks } })
    + ev('message_stop', {}));
  return frames;
}
const CHAT_FRAMES = chatFrames();
const MESSAGES_FRAMES = messagesFrames();

/** Writes the frames `gapMs` apart (the first at once), then ends. A client that leaves stops it. */
function stream(res, frames) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    res.write(frames[i++]);
    if (i < frames.length) setTimeout(next, gapMs);
    else res.end();
  };
  next();
}

function answer(res, path, body) {
  const isStream = STREAM.test(body);
  const chat = path.endsWith('/chat/completions');
  if (isStream) stream(res, chat ? CHAT_FRAMES : MESSAGES_FRAMES);
  else {
    const json = chat ? chatJson : messagesJson;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }
}

function count(path, body) {
  counts.total++;
  if (path.endsWith('/chat/completions')) counts.chat++;
  else if (path.endsWith('/messages')) counts.messages++;
  else counts.other++;
  if (STREAM.test(body)) counts.stream++;
  const m = MARKER.exec(body);
  if (!m) counts.noMarker++;
  else {
    byRun.set(m[2], (byRun.get(m[2]) ?? 0) + 1);
    if (seen.has(m[1])) counts.duplicates++;
    else seen.add(m[1]);
  }
}

const server = createServer((req, res) => {
  const [path, query] = req.url.split('?');
  if (req.method === 'GET' && path === '/__counts') {
    const run = new URLSearchParams(query ?? '').get('run');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...counts, distinct: seen.size, ...(run && { run: byRun.get(run) ?? 0 }) }));
    return;
  }
  if (req.method === 'POST' && path === '/__reset') {
    for (const k of Object.keys(counts)) counts[k] = 0;
    seen = new Set();
    byRun = new Map();
    res.writeHead(204).end();
    req.resume();
    return;
  }
  if (req.method !== 'POST' || !(path.endsWith('/chat/completions') || path.endsWith('/messages'))) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"mock: unknown path","type":"not_found"}}');
    req.resume();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    count(path, body);
    if (latencyMs > 0) setTimeout(() => answer(res, path, body), latencyMs);
    else answer(res, path, body);
  });
});
// TCP connections accepted: a client that reuses its connections (keep-alive) opens few.
server.on('connection', () => counts.connections++);
server.keepAliveTimeout = 60_000;
server.listen(Number(opt.port), '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
