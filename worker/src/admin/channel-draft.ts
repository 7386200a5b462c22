/**
 * Testing a channel and listing its models before it is saved (issue 15.8), for the channel dialog:
 * - `POST /api/v1/channels/test`, body {@link ChannelDraftTest}: the saved-channel test's request
 *   (sync/channel-probe.ts, same timeout) with the draft's first enabled key; answers 200
 *   `{ ok, status, latencyMs, model, error? }` whatever the upstream said (`status` 0: no answer;
 *   `error` redacted of the key, headers and proxy credentials).
 * - `POST /api/v1/channels/models`, body {@link ChannelDraft}: the model sync's list call
 *   (sync/channels-sync.ts `fetchChannelModels`, per-page timeout of sync/model-list.ts) with the
 *   draft's filter applied; answers 200 `{ models: string[] }`, or 502 `upstream_error` whose
 *   `error.upstreamStatus` is the upstream's HTTP status (null: no usable answer) and whose message
 *   quotes the upstream, redacted.
 * Nothing is stored: the draft's secrets are sealed in memory only, so both calls go out exactly as
 * they would for the saved channel. 400 for a draft that cannot be sent (no enabled key, a proxy on
 * the Worker, a stored secret that does not decrypt), 404 for an unknown `channelId`.
 */
import type { Context } from 'hono';
import type * as z from 'zod';
import type { AppEnv } from '../app-env';
import type { Channel } from '../db/types';
import { sealHeaders } from '../lib/channel-headers';
import { sealOverrides } from '../lib/override-secrets';
import { loadSettings } from '../settings';
import { probeChannel } from '../sync/channel-probe';
import { fetchChannelModels } from '../sync/channels-sync';
import { ModelListError } from '../sync/model-list';
import { platformFetcher } from '../sync/proxy-fetch';
import { mergeKeys, proxyInput } from './channel-input';
import { TEST_TIMEOUT_MS, type ChannelTestResult } from './channel-test';
import { adminError, readBody } from './http';
import { ChannelDraft, ChannelDraftTest } from './schemas';

/** The answer of `POST /channels/models`. */
export interface DraftModelsResult {
  /** Model ids the upstream lists, filtered by the draft's model filter, unique, sorted. */
  models: string[];
}

/**
 * Reads a draft body and builds the channel it describes, secrets sealed as they would be stored
 * (never stored), or answers the 400/404/415 to send.
 */
async function readDraft<T extends ChannelDraft>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<{ channel: Channel; draft: T } | { response: Response }> {
  const body = await readBody(c, schema);
  if (!body.ok) return body;
  const d: ChannelDraft = body.value;
  const p = c.get('platform');
  const existing = d.channelId === undefined ? null : await p.store.getChannel(d.channelId);
  if (d.channelId !== undefined && !existing) return { response: adminError(c, 404, 'not_found', `channelId: no channel with id ${d.channelId}.`) };
  const keys = d.keys?.length ? await mergeKeys(p.vault, d.keys, existing?.keys ?? []) : existing?.keys ?? [];
  if (typeof keys === 'string') return { response: adminError(c, 400, 'invalid_request', keys) };
  if (!keys.some((k) => k.enabled)) return { response: adminError(c, 400, 'invalid_request', 'keys: give at least one enabled key.') };
  const proxy = await proxyInput(c, d.proxy, existing?.proxy ?? null);
  if ('response' in proxy) return proxy;
  const now = p.now();
  return {
    draft: body.value,
    channel: {
      id: existing?.id ?? 0, name: existing?.name ?? '(unsaved)', type: d.type, baseUrl: d.baseUrl, keys, models: existing?.models ?? [],
      headers: d.headers === undefined ? existing?.headers ?? {} : await sealHeaders(p.vault, d.headers, existing?.headers),
      modelFilter: d.modelFilter === undefined ? existing?.modelFilter ?? null : d.modelFilter,
      overrides: d.overrides === undefined ? existing?.overrides ?? null : await sealOverrides(p.vault, d.overrides, existing?.overrides),
      proxy: proxy.value === undefined ? existing?.proxy ?? null : proxy.value,
      enabled: true, createdAt: existing?.createdAt ?? now, updatedAt: now,
    },
  };
}

/** `POST /api/v1/channels/test`: see the module comment. */
export async function testDraft(c: Context<AppEnv>): Promise<Response> {
  const p = c.get('platform');
  const read = await readDraft(c, ChannelDraftTest);
  if ('response' in read) return read.response;
  const key = read.channel.keys.find((k) => k.enabled)!;
  const result = await probeChannel(p, read.channel, key, read.draft.model, { globalProxy: (await loadSettings(p.store)).proxy, timeoutMs: TEST_TIMEOUT_MS, clock: () => p.now() });
  if ('refused' in result) return adminError(c, 400, 'invalid_request', result.refused);
  return c.json(result satisfies ChannelTestResult);
}

/** `POST /api/v1/channels/models`: see the module comment. */
export async function draftModels(c: Context<AppEnv>): Promise<Response> {
  const p = c.get('platform');
  const read = await readDraft(c, ChannelDraft);
  if ('response' in read) return read.response;
  try {
    // The channel's proxy, else the global one (a proxy where the runtime has none is refused).
    const via = await (await platformFetcher(p))(read.channel);
    return c.json({ models: await fetchChannelModels(p.vault, read.channel, via) } satisfies DraftModelsResult);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof ModelListError)) return adminError(c, 400, 'invalid_request', `The request could not be sent: ${message}`);
    return c.json({ error: { code: 'upstream_error', message, upstreamStatus: err.status } }, 502);
  }
}
