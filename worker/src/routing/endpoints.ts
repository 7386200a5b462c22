/**
 * Multi-protocol channels (issue 14.5): which endpoint of a channel an attempt uses, and the
 * member order that prefers members able to pass the client's bytes through unchanged. Pure.
 *
 * A channel has a primary endpoint (`type` + `baseUrl`) and optional extra ones (`endpoints`),
 * one per protocol; keys, headers, overrides, proxy, breakers and key cooldowns are the channel's
 * (or member's), whatever endpoint serves.
 */
import type { Channel, ChannelEndpoint, ChannelType, GroupMember, GroupMode } from '../db/types';
import { orderMembers, type Random, type StrategyState } from './strategies';
import type { MemberRef } from './types';

/** Every endpoint of a channel, the primary first. */
export function channelEndpoints(ch: Channel): ChannelEndpoint[] {
  const primary = { type: ch.type, baseUrl: ch.baseUrl };
  return ch.endpoints?.length ? [primary, ...ch.endpoints] : [primary];
}

/** Whether any endpoint of the channel speaks `type`. */
export function channelSpeaks(ch: Channel, type: ChannelType): boolean {
  return ch.type === type || (ch.endpoints?.some((e) => e.type === type) ?? false);
}

/**
 * The endpoint an attempt of `member` on `ch` uses:
 * - the member's pinned protocol (`member.protocol`) when the channel still has that endpoint;
 * - else the endpoint of the client's protocol (`clientProtocol`) when the channel has one, so the
 *   body passes through;
 * - else the primary (the request is converted).
 * Without `clientProtocol` (callers that do not relay a client body) the pin, else the primary.
 */
export function endpointFor(ch: Channel, member: Pick<GroupMember, 'protocol'>, clientProtocol?: ChannelType): ChannelEndpoint {
  const all = channelEndpoints(ch);
  const want = member.protocol ?? clientProtocol;
  return (want && all.find((e) => e.type === want)) || (member.protocol && clientProtocol && all.find((e) => e.type === clientProtocol)) || all[0]!;
}

/** Whether an attempt of `member` on `ch` would use an endpoint of the client's own protocol. */
export function passesThrough(ch: Channel, member: Pick<GroupMember, 'protocol'>, clientProtocol: ChannelType): boolean {
  return endpointFor(ch, member, clientProtocol).type === clientProtocol;
}

/**
 * The channel with the chosen endpoint in place of its primary (`type`, `baseUrl`), so code that
 * builds the upstream call from a channel needs no change. The channel itself when it is the primary.
 */
export function withEndpoint(ch: Channel, ep: ChannelEndpoint): Channel {
  return ep.type === ch.type && ep.baseUrl === ch.baseUrl ? ch : { ...ch, type: ep.type, baseUrl: ep.baseUrl };
}

/**
 * Orders members like `orderMembers`, except that within a tier the members that can pass the
 * client's body through (`MemberRef.passthrough`) come before those that must convert.
 * - failover: a tier is one priority; the order within it stays priority, then member id.
 * - round-robin, random, weighted: the whole group is one tier. Each class (pass through /
 *   convert) is ordered by the mode on its own, so rotation and weights hold among members of
 *   equal capability: the round-robin cursor advances by one per request for both, and weighted
 *   mode keeps one current weight per member, advanced in its own class only.
 * When every member, or none, can pass through, this is exactly `orderMembers`.
 */
export function orderPreferringPassthrough(mode: GroupMode, members: MemberRef[], state: StrategyState, random: Random): { order: MemberRef[]; state: StrategyState } {
  const able = members.filter((m) => m.passthrough);
  if (able.length === 0 || able.length === members.length) return orderMembers(mode, members, state, random);
  if (mode === 'failover') {
    const ordered = orderMembers(mode, members, state, random);
    return { order: [...ordered.order].sort((a, b) => a.priority - b.priority || Number(!!b.passthrough) - Number(!!a.passthrough)), state: ordered.state };
  }
  const rest = members.filter((m) => !m.passthrough);
  const first = orderMembers(mode, able, state, random);
  const second = orderMembers(mode, rest, state, random);
  return {
    order: [...first.order, ...second.order],
    state: { cursor: first.state.cursor, weights: { ...second.state.weights, ...first.state.weights } },
  };
}
