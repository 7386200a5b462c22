/**
 * Same protocol in and out: what the gateway still changes on the way, and nothing more.
 * - Up: only `model` (and auth, set by the channel headers); OpenAI Chat streams also ask for usage.
 * - Down: the upstream bytes, except an OpenAI Chat usage chunk the client did not ask for.
 * - A failure after the first byte: the protocol's own in-stream error and closing markers.
 */
import type { CanonicalRequest, ProtocolName, UpstreamErrorInfo } from './canonical';
import { STATUS_BY_KIND } from './canonical';
import { codecFor } from './index';
import { formatSse, type SseEvent } from './sse';

/**
 * True when a client body holds an `oe1_` envelope (protocols/opaque.ts) in an opaque slot: an
 * Anthropic thinking `signature`, a Gemini `thoughtSignature`, a Responses `encrypted_content`, an
 * OpenAI Chat `reasoning_details` signature or `data` (openai-chat/reasoning-details.ts).
 * Such a history was partly answered by a provider of another protocol (a group whose members
 * differ in type); passed through, the envelope would reach the upstream as its own signature, a
 * 400 ("Invalid `signature` in `thinking` block"). The relay converts such a body instead, which
 * sends each provider only its own data. Envelopes inside tool call ids are valid ids: not counted.
 * Citations and web search results another provider produced carry `FOREIGN_PLACEHOLDER` in
 * `encrypted_index` / `encrypted_content`, and its server tool items ids from `foreignItemId`
 * (`ws_oe1_…`, `ci_oe1_…`, `srvtoolu_oe1_…`), so they count too.
 */
export function carriesEnvelope(rawBody: string): boolean {
  return /"(?:signature|thoughtSignature|thought_signature|encrypted_content|encrypted_index|data)"\s*:\s*"oe1_/.test(rawBody)
    || /"(?:id|tool_use_id)"\s*:\s*"(?:ws|ci|srvtoolu)_oe1_/.test(rawBody);
}

/**
 * The upstream body for a same-protocol request: the client's body with `model` set to the
 * member's upstream model (Gemini carries the model in the URL, so its body is unchanged).
 * OpenAI Chat streams get `stream_options.include_usage` so accounting always sees usage
 * (OpenAI API reference, "Create chat completion" › stream_options).
 */
export function passthroughBody(protocol: ProtocolName, body: Record<string, unknown>, upstreamModel: string, req: CanonicalRequest): Record<string, unknown> {
  if (protocol === 'gemini') return body;
  const out: Record<string, unknown> = { ...body, model: upstreamModel };
  if (protocol === 'openai-chat' && req.stream) {
    const opts = typeof body.stream_options === 'object' && body.stream_options !== null ? body.stream_options : {};
    out.stream_options = { ...opts, include_usage: true };
  }
  return out;
}

/**
 * The same change as `passthroughBody`, as top-level member edits (name → new value's JSON text),
 * so the relay can splice them into the client's bytes and leave every other byte as sent. An empty
 * object means the body goes up unchanged (Gemini).
 */
export function passthroughEdits(protocol: ProtocolName, body: Record<string, unknown>, upstreamModel: string, req: CanonicalRequest): Record<string, string> {
  if (protocol === 'gemini') return {};
  const edits: Record<string, string> = { model: JSON.stringify(upstreamModel) };
  if (protocol === 'openai-chat' && req.stream) {
    const opts = typeof body.stream_options === 'object' && body.stream_options !== null && !Array.isArray(body.stream_options) ? body.stream_options as Record<string, unknown> : null;
    if (opts?.include_usage !== true) edits.stream_options = JSON.stringify({ ...opts, include_usage: true });
  }
  return edits;
}

/**
 * A filter for the passthrough stream, or null to pass every byte. OpenAI Chat: drop the final
 * usage chunk (`choices: []` with `usage`) when the client did not ask for usage.
 */
export function passthroughFilter(protocol: ProtocolName, req: CanonicalRequest): ((ev: SseEvent) => boolean) | null {
  if (protocol !== 'openai-chat' || !req.stream || req.includeUsage) return null;
  return (ev) => {
    if (!ev.data.includes('"usage"')) return true;
    try {
      const chunk = JSON.parse(ev.data) as { choices?: unknown[]; usage?: unknown };
      return !(Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage);
    } catch {
      return true;
    }
  };
}

/** SSE line end the protocol's streams use (Gemini frames with CRLF). */
export function passthroughEol(protocol: ProtocolName): string {
  return protocol === 'gemini' ? '\r\n' : '\n';
}

/**
 * The text that ends a passthrough stream after a mid-stream failure, in the client's protocol:
 * OpenAI Chat `data: {"error":…}` + `[DONE]`; Anthropic `event: error`; Responses `event: error`
 * + `response.failed`; Gemini an error chunk.
 */
export function streamErrorTail(protocol: ProtocolName, err: UpstreamErrorInfo): string {
  // The in-stream error payload is the protocol's own error body (its codec owns that shape).
  const { body } = codecFor(protocol).encodeError({ status: STATUS_BY_KIND[err.kind], kind: err.kind, code: err.code ?? err.kind, message: err.message });
  switch (protocol) {
    case 'openai-chat':
      return formatSse(JSON.stringify(body)) + formatSse('[DONE]');
    case 'anthropic':
      return formatSse(JSON.stringify(body), 'error');
    case 'openai-responses': {
      // Responses streams report errors as an `error` event ({type, code, message, param}) and end
      // with `response.failed`, which is what Codex acts on (it stops retrying on e.g. insufficient_quota).
      const code = err.code ?? err.kind;
      return formatSse(JSON.stringify({ type: 'error', code, message: err.message, param: null }), 'error')
        + formatSse(JSON.stringify({ type: 'response.failed', response: { object: 'response', status: 'failed', error: { code, message: err.message } } }), 'response.failed');
    }
    case 'gemini':
      return formatSse(JSON.stringify(body), undefined, '\r\n');
  }
}
