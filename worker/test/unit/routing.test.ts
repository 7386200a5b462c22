import { describe, expect, it } from 'vitest';
import { classifyStatus } from '../../src/routing/faults';
import { applyOutcomes } from '../../src/routing/health';
import { routableMembers } from '../../src/routing/members';
import { planRequest } from '../../src/routing/plan';
import { DEFAULT_GROUP_SETTINGS, resolveGroupSettings } from '../../src/routing/settings';
import { emptyRoutingState, type MemberRef, type RoutingState } from '../../src/routing/types';
import type { Channel, Route } from '../../src/db/types';

const member = (id: number, channelId = id, keyIds = [`k${id}`]): MemberRef => ({ memberId: id, channelId, priority: 0, weight: 1, keyIds });

function run(n: number, members: MemberRef[], state: RoutingState = emptyRoutingState()) {
  const plans = [];
  for (let i = 0; i < n; i++) {
    const r = planRequest(state, { mode: 'round-robin', members });
    plans.push(r.plan.candidates);
    state = r.state;
  }
  return { plans, state };
}

describe('round-robin plan', () => {
  it('starts each request one member further and always lists every member', () => {
    const { plans } = run(4, [member(1), member(2), member(3)]);
    expect(plans.map((p) => p.map((c) => c.memberId))).toEqual([[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3]]);
  });

  it('rotates a channel\'s keys once per request that starts on it', () => {
    const { plans } = run(6, [member(1, 10, ['a', 'b']), member(2, 20, ['c'])]);
    const firstKeys = plans.map((p) => p[0]!.keyId);
    expect(firstKeys).toEqual(['a', 'c', 'b', 'c', 'a', 'c']);
    // A fallback candidate takes the channel's current key without moving the cursor.
    expect(plans[1]![1]).toEqual({ memberId: 1, channelId: 10, keyId: 'b' });
  });

  it('leaves out members without keys and plans nothing for an empty group', () => {
    expect(run(1, [member(1, 1, []), member(2)]).plans[0]!.map((c) => c.memberId)).toEqual([2]);
    expect(planRequest(emptyRoutingState(), { mode: 'round-robin', members: [] }).plan.candidates).toEqual([]);
  });

  it('does not modify the state it is given', () => {
    const state = emptyRoutingState();
    planRequest(state, { mode: 'round-robin', members: [member(1)] });
    expect(state).toEqual(emptyRoutingState());
  });
});

describe('routable members', () => {
  const ch = (id: number, over: Partial<Channel> = {}): Channel => ({
    id, name: `c${id}`, type: 'openai-chat', baseUrl: 'http://x', models: [], headers: {}, modelFilter: null, enabled: true, createdAt: 0, updatedAt: 0,
    keys: [{ id: `k${id}`, enc: '', hint: '', enabled: true }], ...over,
  });
  it('skips disabled members, disabled or missing channels and channels without enabled keys', () => {
    const route: Route = {
      group: {
        id: 1, name: 'g', mode: 'round-robin', settings: {}, enabled: true, createdAt: 0, updatedAt: 0,
        members: [1, 2, 3, 4, 5].map((i) => ({ id: i, groupId: 1, channelId: i, upstreamModel: 'm', priority: 0, weight: i === 1 ? 0 : 2, enabled: i !== 2 })),
      },
      channels: new Map([
        [1, ch(1)], [2, ch(2)], [3, ch(3, { enabled: false })],
        [5, ch(5, { keys: [{ id: 'x', enc: '', hint: '', enabled: false }] })],
      ]),
    };
    expect(routableMembers(route)).toEqual([{ memberId: 1, channelId: 1, priority: 0, weight: 1, keyIds: ['k1'] }]);
  });
});

describe('fault classes', () => {
  it.each([
    [200, 'ok'], [201, 'ok'], [0, 'channel'], [401, 'channel'], [402, 'channel'], [403, 'channel'], [404, 'channel'],
    [408, 'channel'], [409, 'channel'], [425, 'channel'], [429, 'channel'], [500, 'channel'], [503, 'channel'], [529, 'channel'],
    [400, 'client'], [413, 'client'], [422, 'client'], [405, 'client'], [451, 'client'],
  ] as const)('%i is %s', (status, cls) => {
    expect(classifyStatus(status)).toBe(cls);
  });
});

describe('health counters', () => {
  it('counts consecutive channel faults, resets on success, ignores client faults', () => {
    const o = (kind: 'ok' | 'channel' | 'client', status: number) => ({ memberId: 7, channelId: 1, keyId: 'k', kind, status, ms: 5, error: kind === 'channel' ? 'e' : undefined });
    let s = applyOutcomes(emptyRoutingState(), [o('channel', 500), o('channel', 502)], 1000);
    expect(s.health['7']).toEqual({ consecutiveFailures: 2, lastStatus: 502, lastError: 'e', lastAt: 1000 });
    s = applyOutcomes(s, [o('client', 400)], 2000);
    expect(s.health['7']!.consecutiveFailures).toBe(2);
    s = applyOutcomes(s, [o('ok', 200)], 3000);
    expect(s.health['7']).toEqual({ consecutiveFailures: 0, lastStatus: 200, lastError: null, lastAt: 3000 });
  });
});

describe('group settings', () => {
  it('fills absent fields from the defaults and ignores junk', () => {
    expect(resolveGroupSettings(undefined)).toEqual(DEFAULT_GROUP_SETTINGS);
    const s = resolveGroupSettings({ firstByteTimeoutMs: 5000, maxAttempts: Number.NaN, unknown: 3 } as never);
    expect(s.firstByteTimeoutMs).toBe(5000);
    expect(s.maxAttempts).toBe(DEFAULT_GROUP_SETTINGS.maxAttempts);
    expect(s).not.toHaveProperty('unknown');
  });
});
