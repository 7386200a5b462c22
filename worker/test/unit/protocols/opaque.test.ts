import { describe, expect, it } from 'vitest';
import { opaqueFor, opaqueFromSlot, opaqueToSlot, packToolCallId, unpackToolCallId } from '../../../src/protocols/opaque';

const sig = { provider: 'anthropic' as const, value: 'EqoBCkgIARABGAIiQL+/9=' };

describe('opaque envelopes', () => {
  it('puts a provider\'s own value in its own slot untouched', () => {
    expect(opaqueToSlot(sig, 'anthropic')).toBe(sig.value);
    expect(opaqueFromSlot(sig.value, 'anthropic')).toEqual(sig);
  });

  it('wraps a foreign value so it comes back to its provider unchanged', () => {
    const slot = opaqueToSlot(sig, 'gemini');
    expect(slot).toMatch(/^oe1_[A-Za-z0-9_-]+$/);
    const back = opaqueFromSlot(slot, 'gemini');
    expect(back).toEqual(sig);
    expect(opaqueFor(back, 'anthropic')).toBe(sig.value);
    expect(opaqueFor(back, 'gemini')).toBeUndefined();
    const withItem = { provider: 'openai-responses' as const, value: 'gAAAA…', itemId: 'rs_1' };
    expect(opaqueFromSlot(opaqueToSlot(withItem, 'anthropic'), 'anthropic')).toEqual(withItem);
  });

  it('takes a malformed envelope as the slot owner\'s raw value', () => {
    expect(opaqueFromSlot('oe1_@@@', 'gemini')).toEqual({ provider: 'gemini', value: 'oe1_@@@' });
  });

  it('carries a signature inside a tool call id using only [A-Za-z0-9_-]', () => {
    const g = { provider: 'gemini' as const, value: 'CiQB0e2Kb+/==' };
    const id = packToolCallId('call_1', g);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(unpackToolCallId(id)).toEqual({ id: 'call_1', signature: g });
    expect(unpackToolCallId('toolu_plain')).toEqual({ id: 'toolu_plain' });
    expect(packToolCallId('call_2', undefined)).toBe('call_2');
  });
});
