/**
 * `POST /api/v1/channels/:id/test`: one small generation request ("ping", at most 16 output tokens)
 * straight to the channel with its first enabled key, in the channel's own protocol, bypassing
 * groups, balancing and accounting. Answers 200 with what happened, whatever the upstream said:
 * `{ ok, status, latencyMs, model, error? }` (status 0 = no response; error texts are redacted
 * of the key). The channel's request overrides apply (body patch and headers), as they do to the
 * relay's requests; a member's own do not (no member is involved).
 */
import * as z from 'zod';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { redactor, secretParts } from '../lib/redact';
import { openHeaders, secretHeaderValues } from '../lib/channel-headers';
import { applyHeaderEdits, compileOverrides, patchBody } from '../lib/overrides';
import { openHeaderEdits } from '../lib/override-secrets';
import { codecFor } from '../protocols/index';
import type { CanonicalRequest } from '../protocols/canonical';
import { callUpstream, readErrorBody } from '../relay/upstream';
import { EDGE_PROXY_REFUSAL, openProxy, proxySecrets } from '../lib/proxy';
import { loadSettings } from '../settings';
import { adminError, parseId, readBody } from './http';

export const ChannelTestBody = z.strictObject({
  /** Upstream model to try; defaults to the channel's first model. */
  model: z.string().min(1).max(200).optional(),
});

/** How long the test waits for the response headers and then for the whole body, ms. */
const TEST_TIMEOUT_MS = 30_000;

export interface ChannelTestResult {
  ok: boolean;
  /** HTTP status of the upstream; 0 when no response came. */
  status: number;
  /** Wall time of the call, ms. */
  latencyMs: number;
  model: string;
  error?: string;
}

function pingRequest(model: string): CanonicalRequest {
  return {
    model, system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'ping' }] }], tools: [],
    sampling: { maxTokens: 16 }, stream: false, extensions: { protocol: 'openai-chat', fields: {} },
  };
}

export async function testChannel(c: Context<AppEnv>): Promise<Response> {
  const p = c.get('platform');
  const id = parseId(c.req.param('id') ?? '');
  const channel = id ? await p.store.getChannel(id) : null;
  if (!channel) return adminError(c, 404, 'not_found', `No channel with id ${c.req.param('id')}.`);
  // The body is optional: without a content type the channel's first model is tried.
  let wanted: string | undefined;
  if (c.req.header('content-type')) {
    const body = await readBody(c, ChannelTestBody);
    if (!body.ok) return body.response;
    wanted = body.value.model;
  }
  const model = wanted ?? channel.models[0];
  if (!model) return adminError(c, 400, 'invalid_request', 'model: the channel has no models; name one to test.');
  const key = channel.keys.find((k) => k.enabled);
  if (!key) return adminError(c, 400, 'invalid_request', 'The channel has no enabled key.');

  const secret = await p.vault.decrypt(key.enc);
  const headers = await openHeaders(p.vault, channel.headers);
  const overrides = compileOverrides(channel.overrides);
  const edits = overrides?.headers.length ? await openHeaderEdits(p.vault, overrides.headers) : null;
  const editValues = Object.fromEntries((edits ?? []).filter((e): e is [string, string] => e[1] !== null));
  // The channel's outbound proxy, else the global one (Node mode), as the relay would use.
  const storedProxy = channel.proxy ?? (await loadSettings(p.store)).proxy;
  if (storedProxy && !p.outboundProxy) return adminError(c, 400, 'invalid_request', `proxy: ${EDGE_PROXY_REFUSAL}`);
  const proxy = storedProxy ? await openProxy(p.vault, storedProxy).catch(() => null) : undefined;
  if (proxy === null) return adminError(c, 400, 'invalid_request', 'proxy: the proxy credentials cannot be decrypted (was ENCRYPTION_KEY changed?)');
  const redact = redactor(
    ...secretParts(secret), ...[...secretHeaderValues(headers), ...secretHeaderValues(editValues)].flatMap(secretParts), ...proxySecrets(proxy ?? null),
  );
  const codec = codecFor(channel.type);
  const started = p.now();
  const done = (r: Omit<ChannelTestResult, 'latencyMs' | 'model'>) => c.json({ ...r, latencyMs: Math.max(0, p.now() - started), model } satisfies ChannelTestResult);
  const send = p.callUpstream ?? callUpstream;
  const result = await send({
    url: codec.upstreamUrl(channel.baseUrl, model, false),
    method: 'POST',
    headers: applyHeaderEdits({ 'content-type': 'application/json', accept: 'application/json', ...codec.upstreamHeaders(secret), ...headers }, edits ?? []),
    body: JSON.stringify(patchBody(codec.encodeRequest(pingRequest(model), model), overrides?.body ?? [])),
    firstByteTimeoutMs: TEST_TIMEOUT_MS,
    signal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    ...(proxy !== undefined && { proxy }),
  });
  if (result.kind === 'network') return done({ ok: false, status: 0, error: redact(result.error) });
  const res = result.response;
  const text = await readErrorBody(res, 1024 * 1024);
  if (res.status < 200 || res.status >= 300) {
    return done({ ok: false, status: res.status, error: redact(codec.decodeError(res.status, text).message || `HTTP ${res.status}`) });
  }
  try {
    codec.decodeResponse(JSON.parse(text));
    return done({ ok: true, status: res.status });
  } catch {
    return done({ ok: false, status: res.status, error: 'The upstream answered with a body the gateway could not read.' });
  }
}
