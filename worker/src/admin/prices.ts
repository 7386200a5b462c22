/**
 * `/api/v1/prices`: every model in use (group members' upstream models) with its price and source
 * (user / models.dev / unknown, unknown first); user prices set and reset; `/api/v1/sync` state and
 * on-demand syncs. Prices in the API are USD per 1M tokens; the database keeps nano-USD.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env';
import { withCacheFallback, type Price } from '../accounting/cost';
import { nanoToUsd, usdPerMillionToNano } from '../accounting/money';
import { priceSources } from '../accounting/pricing';
import { resolvePrice } from '../accounting/prices';
import { syncChannelModels } from '../sync/channels-sync';
import { syncModelsDevPrices } from '../sync/prices-sync';
import { platformFetcher } from '../sync/proxy-fetch';
import { adminError, parseId, readBody } from './http';
import { UserPriceBody } from './schemas';

/** Longest model name a price can be set for (group members' upstream models are at most 200 characters). */
const MAX_MODEL_NAME = 200;


function priceView(p: Price) {
  return { input: nanoToUsd(p.input), output: nanoToUsd(p.output), cacheRead: nanoToUsd(p.cacheRead), cacheWrite: nanoToUsd(p.cacheWrite) };
}

export function priceRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.get('/prices', async (c) => {
    const p = c.get('platform');
    const [groups, channels, stored] = await Promise.all([p.store.listGroups(), p.store.listChannels(), p.store.loadPrices()]);
    const sources = priceSources(stored);
    const types = new Map(channels.map((ch) => [ch.id, ch.type]));
    const seen = new Map<string, ReturnType<typeof row>>();
    function row(model: string, channelType: NonNullable<ReturnType<typeof types.get>>) {
      const resolved = resolvePrice(model, channelType, sources);
      return {
        model, channelType, source: resolved.source, price: resolved.price ? priceView(resolved.price) : null,
        ...(resolved.source !== 'unknown' && { matchedId: resolved.matchedId }),
        ...(resolved.source === 'models.dev' && { provider: resolved.provider, match: resolved.match }),
      };
    }
    for (const g of groups) {
      for (const m of g.members) {
        const type = types.get(m.channelId);
        if (type && !seen.has(`${type}|${m.upstreamModel}`)) seen.set(`${type}|${m.upstreamModel}`, row(m.upstreamModel, type));
      }
    }
    const order = { unknown: 0, 'models.dev': 1, user: 2 } as const;
    const data = [...seen.values()].sort((a, b) => order[a.source] - order[b.source] || a.model.localeCompare(b.model));
    return c.json({ data, modelsDevModels: stored.modelsDev.length });
  });

  /** The model named in the path, or null when it is not a name a member could use (1 to 200 characters, valid escapes). */
  const modelOf = (c: Context<AppEnv>): string | null => {
    let model: string;
    try {
      model = c.req.param('model') ?? '';
    } catch {
      return null;
    }
    return model.length >= 1 && model.length <= MAX_MODEL_NAME ? model : null;
  };
  const badModel = (c: Context<AppEnv>) => adminError(c, 400, 'invalid_request', `model: must be 1 to ${MAX_MODEL_NAME} characters (an upstream model name)`);

  r.put('/prices/:model{.+}', async (c) => {
    const p = c.get('platform');
    const model = modelOf(c);
    if (model === null) return badModel(c);
    const body = await readBody(c, UserPriceBody);
    if (!body.ok) return body.response;
    const v = body.value;
    let price: Price;
    try {
      price = withCacheFallback({
        input: usdPerMillionToNano(v.input), output: usdPerMillionToNano(v.output),
        ...(v.cacheRead !== undefined && { cacheRead: usdPerMillionToNano(v.cacheRead) }),
        ...(v.cacheWrite !== undefined && { cacheWrite: usdPerMillionToNano(v.cacheWrite) }),
      });
    } catch (err) {
      return adminError(c, 400, 'invalid_request', err instanceof Error ? err.message : String(err));
    }
    await p.store.setUserPrice(model, price, p.now());
    return c.json({ model, source: 'user', price: priceView(price) });
  });

  r.delete('/prices/:model{.+}', async (c) => {
    const model = modelOf(c);
    if (model === null) return badModel(c);
    const ok = await c.get('platform').store.deleteUserPrice(model);
    return ok ? c.body(null, 204) : adminError(c, 404, 'not_found', `No user price for ${model}.`);
  });

  r.get('/sync', async (c) => c.json({ data: await c.get('platform').store.listSyncState() }));

  r.post('/sync/prices', async (c) => {
    const p = c.get('platform');
    try {
      const fetchFor = await platformFetcher(p);
      return c.json(await syncModelsDevPrices(p.store, await fetchFor(null), p.modelsDevUrl, p.now()));
    } catch (err) {
      return adminError(c, 502, 'sync_failed', err instanceof Error ? err.message : String(err));
    }
  });

  r.post('/channels/:id/sync-models', async (c) => {
    const p = c.get('platform');
    const id = parseId(c.req.param('id'));
    const ch = id ? await p.store.getChannel(id) : null;
    if (!ch) return adminError(c, 404, 'not_found', `No channel with id ${c.req.param('id')}.`);
    try {
      return c.json(await syncChannelModels(p.store, p.vault, ch, fetch, p.now(), await platformFetcher(p)));
    } catch (err) {
      return adminError(c, 502, 'sync_failed', err instanceof Error ? err.message : String(err));
    }
  });

  return r;
}
