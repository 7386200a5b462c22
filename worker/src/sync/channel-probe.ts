/**
 * One tiny generation request ("ping", at most 16 output tokens) straight to a channel, in the
 * channel's own protocol, with one of its keys, bypassing groups, balancing and accounting. The
 * admin "test channel" button (admin/channel-test.ts) and the scheduled health checks
 * (sync/health-checks.ts) both send it. It goes out the way the relay's calls do: the channel's
 * headers, its request overrides (body patch and header edits; a member's own do not apply, no
 * member is involved), its outbound proxy else the global one, through the Platform's
 * `callUpstream` (Node: the keep-alive agent and proxy dispatchers). Runtime-neutral.
 */
import type { Channel, StoredChannelKey } from '../db/types';
import { redactor, secretParts } from '../lib/redact';
import { openHeaders, secretHeaderValues } from '../lib/channel-headers';
import { applyHeaderEdits, compileOverrides, patchBody } from '../lib/overrides';
import { openHeaderEdits } from '../lib/override-secrets';
import { EDGE_PROXY_REFUSAL, openProxy, proxySecrets, type StoredProxy } from '../lib/proxy';
import { codecFor } from '../protocols/index';
import type { CanonicalRequest } from '../protocols/canonical';
import { callUpstream, readErrorBody } from '../relay/upstream';
import type { Platform } from '../platform';

/** What a probe needs of the Platform. */
export type ProbePlatform = Pick<Platform, 'vault' | 'callUpstream' | 'outboundProxy'>;

/** What one probe found. */
export interface ProbeResult {
  ok: boolean;
  /** HTTP status of the upstream; 0 when no response came. */
  status: number;
  /** Wall time of the call, ms. */
  latencyMs: number;
  model: string;
  /** Short plain-words error, redacted of the key, headers and proxy credentials; absent when ok. */
  error?: string;
}

/**
 * Why a probe could not be sent at all (the channel's configuration, not the upstream): the key,
 * a header or the proxy credentials cannot be decrypted, or a proxy is set where the runtime has none.
 */
export interface ProbeRefusal {
  refused: string;
}

/** The canonical ping: one user message "ping", at most 16 output tokens, not streamed. */
function pingRequest(model: string): CanonicalRequest {
  return {
    model, system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'ping' }] }], tools: [],
    sampling: { maxTokens: 16 }, stream: false, extensions: { protocol: 'openai-chat', fields: {} },
  };
}

/**
 * Sends the ping to `channel` for `model` with `key`; never throws for what the upstream does.
 * @param globalProxy the gateway's proxy setting (used when the channel has none).
 * @param timeoutMs bound on the whole call (headers and body), ms.
 * @param clock ms since epoch, for the latency.
 * @returns the result (any upstream answer, network failure or timeout), or a refusal when the
 *   channel's configuration keeps the request from being sent.
 */
export async function probeChannel(
  p: ProbePlatform, channel: Channel, key: StoredChannelKey, model: string,
  opts: { globalProxy: StoredProxy | null; timeoutMs: number; clock: () => number },
): Promise<ProbeResult | ProbeRefusal> {
  let secret: string;
  try {
    secret = await p.vault.decrypt(key.enc);
  } catch {
    return { refused: 'The channel key cannot be decrypted (was ENCRYPTION_KEY changed?).' };
  }
  let headers: Record<string, string>;
  try {
    headers = await openHeaders(p.vault, channel.headers);
  } catch {
    return { refused: 'A channel header cannot be decrypted (was ENCRYPTION_KEY changed?).' };
  }
  const overrides = compileOverrides(channel.overrides);
  let edits: [string, string | null][] | null = null;
  try {
    edits = overrides?.headers.length ? await openHeaderEdits(p.vault, overrides.headers) : null;
  } catch {
    return { refused: 'An override header cannot be decrypted (was ENCRYPTION_KEY changed?).' };
  }
  const editValues = Object.fromEntries((edits ?? []).filter((e): e is [string, string] => e[1] !== null));
  const storedProxy = channel.proxy ?? opts.globalProxy;
  if (storedProxy && !p.outboundProxy) return { refused: `proxy: ${EDGE_PROXY_REFUSAL}` };
  const proxy = storedProxy ? await openProxy(p.vault, storedProxy).catch(() => null) : undefined;
  if (proxy === null) return { refused: 'proxy: the proxy credentials cannot be decrypted (was ENCRYPTION_KEY changed?)' };
  const redact = redactor(
    ...secretParts(secret), ...[...secretHeaderValues(headers), ...secretHeaderValues(editValues)].flatMap(secretParts), ...proxySecrets(proxy ?? null),
  );
  const codec = codecFor(channel.type);
  const started = opts.clock();
  const done = (r: Omit<ProbeResult, 'latencyMs' | 'model'>): ProbeResult => ({ ...r, latencyMs: Math.max(0, opts.clock() - started), model });
  const send = p.callUpstream ?? callUpstream;
  const result = await send({
    url: codec.upstreamUrl(channel.baseUrl, model, false),
    method: 'POST',
    headers: applyHeaderEdits({ 'content-type': 'application/json', accept: 'application/json', ...codec.upstreamHeaders(secret), ...headers }, edits ?? []),
    body: JSON.stringify(patchBody(codec.encodeRequest(pingRequest(model), model), overrides?.body ?? [])),
    firstByteTimeoutMs: opts.timeoutMs,
    signal: AbortSignal.timeout(opts.timeoutMs),
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
