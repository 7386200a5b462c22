import { describe, expect, it } from 'vitest';
import type { Channel, GroupMember, GroupMode, Route } from '../../src/db/types';
import { channelSpeaks, endpointFor, orderPreferringPassthrough, passesThrough, withEndpoint } from '../../src/routing/endpoints';
import { routableMembers } from '../../src/routing/members';
import { planRequest } from '../../src/routing/plan';
import { orderMembers, type StrategyState } from '../../src/routing/strategies';
import { emptyRoutingState, type MemberRef, type PlanSettings } from '../../src/routing/types';

const channel = (over: Partial<Channel> = {}): Channel => ({
  id: 1, name: 'c', type: 'openai-chat', baseUrl: 'https://chat.example/v1', keys: [{ id: '0', enc: 'x', hint: 'x', enabled: true }],
  models: [], headers: {}, modelFilter: null, enabled: true, createdAt: 0, updatedAt: 0, ...over,
});
const multi = channel({ endpoints: [{ type: 'anthropic', baseUrl: 'https://anthropic.example/v1' }] });
const ref = (id: number, passthrough: boolean, over: Partial<MemberRef> = {}): MemberRef => ({
  memberId: id, channelId: id, priority: 0, weight: 1, keyIds: ['0'], ...(passthrough && { passthrough }), ...over,
});
const SETTINGS: PlanSettings = { breakerThreshold: 3, breakerBaseMs: 1000, breakerCapMs: 8000, stickyTtlMs: 0, probeLeaseMs: 500 };

describe('endpointFor', () => {
  it('picks the endpoint of the client protocol, else the primary', () => {
    expect(endpointFor(multi, {}, 'anthropic')).toEqual({ type: 'anthropic', baseUrl: 'https://anthropic.example/v1' });
    expect(endpointFor(multi, {}, 'openai-chat')).toEqual({ type: 'openai-chat', baseUrl: 'https://chat.example/v1' });
    expect(endpointFor(multi, {}, 'gemini')).toEqual({ type: 'openai-chat', baseUrl: 'https://chat.example/v1' });
    expect(endpointFor(multi, {})).toEqual({ type: 'openai-chat', baseUrl: 'https://chat.example/v1' });
  });

  it('a pin wins over the client protocol; a pin the channel lost falls back', () => {
    expect(endpointFor(multi, { protocol: 'openai-chat' }, 'anthropic').type).toBe('openai-chat');
    expect(endpointFor(multi, { protocol: 'anthropic' }, 'openai-chat').type).toBe('anthropic');
    expect(endpointFor(multi, { protocol: 'gemini' }, 'anthropic').type).toBe('anthropic');
    expect(endpointFor(multi, { protocol: 'gemini' }, 'openai-responses').type).toBe('openai-chat');
    expect(passesThrough(multi, { protocol: 'openai-chat' }, 'anthropic')).toBe(false);
    expect(passesThrough(multi, {}, 'anthropic')).toBe(true);
  });

  it('withEndpoint swaps type and base URL only', () => {
    expect(withEndpoint(multi, endpointFor(multi, {}, 'openai-chat'))).toBe(multi);
    const a = withEndpoint(multi, endpointFor(multi, {}, 'anthropic'));
    expect(a).toMatchObject({ id: 1, type: 'anthropic', baseUrl: 'https://anthropic.example/v1', keys: multi.keys });
    expect(channelSpeaks(multi, 'anthropic')).toBe(true);
    expect(channelSpeaks(channel(), 'anthropic')).toBe(false);
  });
});

describe('routableMembers marks passthrough members', () => {
  it('by the client protocol and the pin', () => {
    const members: GroupMember[] = [
      { id: 1, groupId: 1, channelId: 1, upstreamModel: 'm', priority: 0, weight: 1, enabled: true },
      { id: 2, groupId: 1, channelId: 1, upstreamModel: 'm', priority: 0, weight: 1, protocol: 'openai-chat', enabled: true },
      { id: 3, groupId: 1, channelId: 2, upstreamModel: 'm', priority: 0, weight: 1, enabled: true },
    ];
    const route: Route = {
      group: { id: 1, name: 'g', mode: 'round-robin', enabled: true, settings: {}, aliases: [], patterns: [], members, createdAt: 0, updatedAt: 0 },
      channels: new Map([[1, multi], [2, channel({ id: 2 })]]),
    };
    expect(routableMembers(route, 'anthropic').map((m) => !!m.passthrough)).toEqual([true, false, false]);
    expect(routableMembers(route, 'openai-chat').map((m) => !!m.passthrough)).toEqual([true, true, true]);
    expect(routableMembers(route).map((m) => !!m.passthrough)).toEqual([false, false, false]);
  });
});

describe('orderPreferringPassthrough', () => {
  const run = (mode: GroupMode, members: MemberRef[], n: number) => {
    let state: StrategyState = { cursor: 0, weights: {} };
    const out: number[][] = [];
    for (let i = 0; i < n; i++) {
      const r = orderPreferringPassthrough(mode, members, state, () => 0.5);
      out.push(r.order.map((m) => m.memberId));
      state = r.state;
    }
    return out;
  };

  it('is orderMembers when all or none can pass through', () => {
    for (const mode of ['round-robin', 'weighted', 'failover', 'random'] as const) {
      for (const flag of [true, false]) {
        const ms = [ref(1, flag), ref(2, flag), ref(3, flag, { weight: 3 })];
        const st: StrategyState = { cursor: 5, weights: { 1: 2 } };
        expect(orderPreferringPassthrough(mode, ms, st, () => 0.3)).toEqual(orderMembers(mode, ms, st, () => 0.3));
      }
    }
  });

  it('round-robin rotates among passthrough members first, converters after', () => {
    const out = run('round-robin', [ref(1, true), ref(2, false), ref(3, true), ref(4, false)], 4);
    expect(out).toEqual([[1, 3, 2, 4], [3, 1, 4, 2], [1, 3, 2, 4], [3, 1, 4, 2]]);
  });

  it('weighted keeps the weights among passthrough members', () => {
    const out = run('weighted', [ref(1, true, { weight: 3 }), ref(2, false, { weight: 10 }), ref(3, true, { weight: 1 })], 8);
    const firsts = out.map((o) => o[0]);
    expect(firsts.filter((id) => id === 1)).toHaveLength(6);
    expect(firsts.filter((id) => id === 3)).toHaveLength(2);
    for (const o of out) expect(o[2]).toBe(2);
  });

  it('failover: passthrough first within a priority tier, tiers kept', () => {
    const ms = [ref(1, false, { priority: 0 }), ref(2, true, { priority: 0 }), ref(3, true, { priority: 1 }), ref(4, false, { priority: 1 }), ref(5, false, { priority: 0 })];
    expect(run('failover', ms, 1)[0]).toEqual([2, 1, 5, 3, 4]);
  });

  it('planRequest uses it', () => {
    const r = planRequest(emptyRoutingState(), { mode: 'failover', members: [ref(1, false), ref(2, true)], settings: SETTINGS }, 0, () => 0);
    expect(r.plan.candidates.map((c) => c.memberId)).toEqual([2, 1]);
  });
});
