/**
 * `POST /api/v1/channels/:id/test`: one small generation request ("ping", at most 16 output tokens)
 * straight to the channel with its first enabled key, in the channel's own protocol, bypassing
 * groups, balancing and accounting (sync/channel-probe.ts sends it, as the scheduled health checks
 * do). Answers 200 with what happened, whatever the upstream said: `{ ok, status, latencyMs, model,
 * error? }` (status 0 = no response; error texts are redacted of the key). The channel's request
 * overrides apply (body patch and headers), as they do to the relay's requests; a member's own do
 * not (no member is involved). Not recorded in the health check history.
 */
import * as z from 'zod';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { probeChannel, type ProbeResult } from '../sync/channel-probe';
import { loadSettings } from '../settings';
import { adminError, parseId, readBody } from './http';

export const ChannelTestBody = z.strictObject({
  /** Upstream model to try; defaults to the channel's first model. */
  model: z.string().min(1).max(200).optional(),
});

/** How long the test waits for the response headers and then for the whole body, ms. */
export const TEST_TIMEOUT_MS = 30_000;

/** The answer of the test route. */
export type ChannelTestResult = ProbeResult;

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
  const result = await probeChannel(p, channel, key, model, { globalProxy: (await loadSettings(p.store)).proxy, timeoutMs: TEST_TIMEOUT_MS, clock: () => p.now() });
  if ('refused' in result) return adminError(c, 400, 'invalid_request', result.refused);
  return c.json(result satisfies ChannelTestResult);
}
