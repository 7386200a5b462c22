/** `/api/v1/channels`: CRUD of upstream channels. Channel keys are encrypted before they are stored. */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { StoreConflictError } from '../db/store';
import type { StoredChannelKey } from '../db/types';
import { adminError, parseId, readBody } from './http';
import { ChannelCreate, ChannelUpdate, endpointsProblem } from './schemas';
import { mergeKeys, proxyInput } from './channel-input';
import { draftModels, testDraft } from './channel-draft';
import { channelView } from './views';
import { sealHeaders } from '../lib/channel-headers';
import { sealOverrides } from '../lib/override-secrets';
import { testChannel } from './channel-test';
import { mountHealthCheckRoutes } from './health-checks';

export function channelRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => c.json({ data: (await c.get('platform').store.listChannels()).map(channelView) }));

  // Before '/:id…': 'test' and 'models' are not channel ids.
  r.post('/test', testDraft);
  r.post('/models', draftModels);
  r.post('/:id/test', testChannel);
  // Before '/:id': '/health-checks' is not a channel id.
  mountHealthCheckRoutes(r);

  r.get('/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const ch = id ? await c.get('platform').store.getChannel(id) : null;
    return ch ? c.json(channelView(ch)) : adminError(c, 404, 'not_found', `No channel with id ${c.req.param('id')}.`);
  });

  r.post('/', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, ChannelCreate);
    if (!body.ok) return body.response;
    const v = body.value;
    const endpointsError = endpointsProblem(v.type, v.endpoints);
    if (endpointsError) return adminError(c, 400, 'invalid_request', endpointsError);
    const proxy = await proxyInput(c, v.proxy, null);
    if ('response' in proxy) return proxy.response;
    const keys = await mergeKeys(p.vault, v.keys, []);
    if (typeof keys === 'string') return adminError(c, 400, 'invalid_request', keys);
    try {
      const ch = await p.store.createChannel({
        name: v.name, type: v.type, baseUrl: v.baseUrl, keys, models: v.models ?? [], headers: await sealHeaders(p.vault, v.headers ?? {}),
        modelFilter: v.modelFilter ?? null, overrides: await sealOverrides(p.vault, v.overrides), proxy: proxy.value ?? null,
        healthCheck: v.healthCheck ?? null, endpoints: v.endpoints?.length ? v.endpoints : null, enabled: v.enabled ?? true,
      });
      return c.json(channelView(ch), 201);
    } catch (err) {
      if (err instanceof StoreConflictError) return adminError(c, 409, 'conflict', `name: ${err.message}`);
      throw err;
    }
  });

  r.patch('/:id', async (c) => {
    const p = c.get('platform');
    const id = parseId(c.req.param('id'));
    const existing = id ? await p.store.getChannel(id) : null;
    if (!id || !existing) return adminError(c, 404, 'not_found', `No channel with id ${c.req.param('id')}.`);
    const body = await readBody(c, ChannelUpdate);
    if (!body.ok) return body.response;
    const { keys: keyInputs, headers: headerInput, overrides: overridesInput, proxy: proxyText, ...rest } = body.value;
    // The primary type and the extra endpoints as they will be after this change.
    const endpointsError = endpointsProblem(rest.type ?? existing.type, rest.endpoints === undefined ? existing.endpoints : rest.endpoints);
    if (endpointsError) return adminError(c, 400, 'invalid_request', endpointsError);
    if (rest.endpoints !== undefined && !rest.endpoints?.length) rest.endpoints = null;
    // The proxy URL sent back as the API showed it (password as a hint) keeps the stored one.
    const proxy = await proxyInput(c, proxyText, existing.proxy);
    if ('response' in proxy) return proxy.response;
    const headers = headerInput === undefined ? undefined : await sealHeaders(p.vault, headerInput, existing.headers);
    // A credential header value sent back as the hint the API showed keeps the stored value.
    const overrides = overridesInput === undefined ? undefined : await sealOverrides(p.vault, overridesInput, existing.overrides);
    let keys: StoredChannelKey[] | undefined;
    if (keyInputs) {
      const merged = await mergeKeys(p.vault, keyInputs, existing.keys);
      if (typeof merged === 'string') return adminError(c, 400, 'invalid_request', merged);
      keys = merged;
    }
    // A check turned off forgets its state: turned on again later, an old "down" must not come back.
    const resetHealth = rest.healthCheck !== undefined && !rest.healthCheck?.enabled && existing.healthState != null;
    try {
      const ch = await p.store.updateChannel(id, { ...rest, ...(resetHealth && { healthState: null }), ...(keys && { keys }), ...(headers && { headers }), ...(overrides !== undefined && { overrides }), ...(proxy.value !== undefined && { proxy: proxy.value }) });
      return ch ? c.json(channelView(ch)) : adminError(c, 404, 'not_found', `No channel with id ${id}.`);
    } catch (err) {
      if (err instanceof StoreConflictError) return adminError(c, 409, 'conflict', `name: ${err.message}`);
      throw err;
    }
  });

  r.delete('/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const ok = id ? await c.get('platform').store.deleteChannel(id) : false;
    return ok ? c.body(null, 204) : adminError(c, 404, 'not_found', `No channel with id ${c.req.param('id')}.`);
  });

  return r;
}
