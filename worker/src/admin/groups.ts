/** `/api/v1/groups`: CRUD of groups and their members, plus live member health (one group's, or all at once). */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env';
import { StoreConflictError } from '../db/store';
import type { GroupMember, NewGroupMember } from '../db/types';
import { sealOverrides } from '../lib/override-secrets';
import { channelSpeaks } from '../routing/endpoints';
import type { Platform } from '../platform';
import { nameClash } from './group-names';
import { healthOfGroups } from './groups-health';
import { adminError, parseId, readBody } from './http';
import { GroupCreate, GroupUpdate, type GroupMemberInput } from './schemas';
import { groupView } from './views';

/**
 * Fills member defaults, seals credential override headers and checks every channel exists;
 * returns an error naming the field. `existing`: the group's stored members, whose sealed override
 * header values a member of the same channel and upstream model keeps when sent back as the hint.
 */
async function resolveMembers(p: Platform, inputs: GroupMemberInput[], existing: GroupMember[] = []): Promise<NewGroupMember[] | string> {
  const channels = new Map((await p.store.listChannels()).map((ch) => [ch.id, ch]));
  const out: NewGroupMember[] = [];
  for (const [i, m] of inputs.entries()) {
    const ch = channels.get(m.channelId);
    if (!ch) return `members.${i}.channelId: no channel with id ${m.channelId}`;
    // A pin names one of the channel's endpoints (routing/endpoints.ts).
    if (m.protocol && !channelSpeaks(ch, m.protocol)) return `members.${i}.protocol: channel ${ch.id} has no ${m.protocol} endpoint`;
    const before = existing.find((e) => e.channelId === m.channelId && e.upstreamModel === m.upstreamModel);
    out.push({
      channelId: m.channelId, upstreamModel: m.upstreamModel, priority: m.priority ?? 0, weight: m.weight ?? 1,
      overrides: await sealOverrides(p.vault, m.overrides, before?.overrides), protocol: m.protocol ?? null, enabled: m.enabled ?? true,
    });
  }
  return out;
}

export function groupRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const notFound = (c: Context<AppEnv>) => adminError(c, 404, 'not_found', `No group with id ${c.req.param('id')}.`);

  r.get('/', async (c) => c.json({ data: (await c.get('platform').store.listGroups()).map(groupView) }));

  // Before `/:id`: every group's live health in one answer (admin/groups-health.ts).
  r.get('/health', async (c) => {
    const p = c.get('platform');
    const [groups, channels] = await Promise.all([p.store.listGroups(), p.store.listChannels()]);
    return c.json(await healthOfGroups(p, groups, channels));
  });

  r.get('/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const g = id ? await c.get('platform').store.getGroup(id) : null;
    return g ? c.json(groupView(g)) : notFound(c);
  });

  r.get('/:id/health', async (c) => {
    const p = c.get('platform');
    const id = parseId(c.req.param('id'));
    const g = id ? await p.store.getGroup(id) : null;
    if (!g) return notFound(c);
    // As in the all-groups answer, a holder that did not answer gives `error` and no members.
    return c.json((await healthOfGroups(p, [g], await p.store.listChannels())).groups[g.id]!);
  });

  // Names the group's patterns caught recently (routing/catches.ts): kept by the group's holder, in memory.
  r.get('/:id/catches', async (c) => {
    const p = c.get('platform');
    const id = parseId(c.req.param('id'));
    const g = id ? await p.store.getGroup(id) : null;
    if (!g) return notFound(c);
    return c.json({ catches: await p.groups.catches(g.id) });
  });

  r.post('/', async (c) => {
    const p = c.get('platform');
    const body = await readBody(c, GroupCreate);
    if (!body.ok) return body.response;
    const v = body.value;
    const members = await resolveMembers(p, v.members ?? []);
    if (typeof members === 'string') return adminError(c, 400, 'invalid_request', members);
    const clash = nameClash(await p.store.listGroups(), null, v.name, v.aliases ?? []);
    if (clash) return adminError(c, 409, 'conflict', clash);
    try {
      const g = await p.store.createGroup({
        name: v.name, mode: v.mode ?? 'round-robin', enabled: v.enabled ?? true, settings: v.settings ?? {},
        aliases: v.aliases ?? [], patterns: v.patterns ?? [], members,
      });
      return c.json(groupView(g), 201);
    } catch (err) {
      if (err instanceof StoreConflictError) return adminError(c, 409, 'conflict', `name: ${err.message}`);
      throw err;
    }
  });

  r.patch('/:id', async (c) => {
    const p = c.get('platform');
    const id = parseId(c.req.param('id'));
    const stored = id ? await p.store.getGroup(id) : null;
    if (!id || !stored) return notFound(c);
    const body = await readBody(c, GroupUpdate);
    if (!body.ok) return body.response;
    const { members: memberInputs, ...rest } = body.value;
    let members: NewGroupMember[] | undefined;
    if (memberInputs) {
      const resolved = await resolveMembers(p, memberInputs, stored.members);
      if (typeof resolved === 'string') return adminError(c, 400, 'invalid_request', resolved);
      members = resolved;
    }
    if (rest.name !== undefined || rest.aliases !== undefined) {
      const clash = nameClash(await p.store.listGroups(), id, rest.name ?? stored.name, rest.aliases ?? stored.aliases);
      if (clash) return adminError(c, 409, 'conflict', clash);
    }
    try {
      const g = await p.store.updateGroup(id, { ...rest, ...(members && { members }) });
      return g ? c.json(groupView(g)) : notFound(c);
    } catch (err) {
      if (err instanceof StoreConflictError) return adminError(c, 409, 'conflict', `name: ${err.message}`);
      throw err;
    }
  });

  r.delete('/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const ok = id ? await c.get('platform').store.deleteGroup(id) : false;
    return ok ? c.body(null, 204) : notFound(c);
  });

  return r;
}
