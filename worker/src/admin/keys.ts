/**
 * `/api/v1/keys`: client API keys. The secret (`sk-oe-` + 43 random characters) is returned once, at
 * creation; only its SHA-256 is stored.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env';
import { randomToken, sha256Hex } from '../lib/crypto';
import { adminError, parseId, readBody } from './http';
import { ApiKeyCreate, ApiKeyUpdate } from './schemas';
import { apiKeyView } from './views';

export const CLIENT_KEY_PREFIX = 'sk-oe-';

/** USD (float, from the API) to integer nano-USD (storage). */
function toNano(usd: number | null | undefined): number | null | undefined {
  return usd === undefined || usd === null ? usd : Math.round(usd * 1e9);
}

export function apiKeyRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const notFound = (c: Context<AppEnv>) => adminError(c, 404, 'not_found', `No API key with id ${c.req.param('id')}.`);

  r.get('/', async (c) => c.json({ data: (await c.get('platform').store.listApiKeys()).map(apiKeyView) }));

  r.get('/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const k = id ? await c.get('platform').store.getApiKey(id) : null;
    return k ? c.json(apiKeyView(k)) : notFound(c);
  });

  r.post('/', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, ApiKeyCreate);
    if (!body.ok) return body.response;
    const v = body.value;
    const secret = CLIENT_KEY_PREFIX + randomToken(43);
    const key = await p.store.createApiKey({
      name: v.name, keyHash: await sha256Hex(secret), keyPrefix: secret.slice(0, 10),
      expiresAt: v.expiresAt ?? null, allowedGroups: v.allowedGroups ?? null, budgetNanoUsd: toNano(v.budgetUsd) ?? null,
      rpmLimit: v.rpmLimit ?? null, tpmLimit: v.tpmLimit ?? null, enabled: v.enabled ?? true,
    });
    return c.json({ ...apiKeyView(key), key: secret }, 201);
  });

  r.patch('/:id', async (c) => {
    const p = c.get('platform');
    const id = parseId(c.req.param('id'));
    if (!id) return notFound(c);
    const body = await readBody(c, ApiKeyUpdate);
    if (!body.ok) return body.response;
    const { budgetUsd, ...rest } = body.value;
    const k = await p.store.updateApiKey(id, { ...rest, ...(budgetUsd !== undefined && { budgetNanoUsd: toNano(budgetUsd) }) });
    // Requests made while the key had no limit were not counted by its limits holder: let it catch up.
    if (k && (budgetUsd !== undefined || rest.rpmLimit !== undefined || rest.tpmLimit !== undefined)) await p.limits.refresh(k.id);
    return k ? c.json(apiKeyView(k)) : notFound(c);
  });

  r.delete('/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const ok = id ? await c.get('platform').store.deleteApiKey(id) : false;
    return ok ? c.body(null, 204) : notFound(c);
  });

  return r;
}
