import { describe, expect, it } from 'vitest';
import {
  opaqueFor, opaqueFromSlot, opaqueToSlot, packToolCallId, reasoningFromSlot, reasoningToSlot, textSignatureToSlot, unpackToolCallId,
} from '../../../src/protocols/opaque';

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

  it('carries an Anthropic signature with the exact text it signs through a foreign reasoning slot', () => {
    const text = 'The previous result was 925.\n\n925 ÷ 5 = 185 ✓';
    const slot = reasoningToSlot({ text, signature: sig }, 'gemini')!;
    expect(slot).toMatch(/^oe1_[A-Za-z0-9_-]+$/);
    // The client shows (or drops, or rewrites) the thought: the envelope's text wins.
    expect(reasoningFromSlot(slot, 'gemini', '')).toEqual({ type: 'reasoning', text, signature: sig });
    expect(reasoningFromSlot(slot, 'gemini', 'edited')).toEqual({ type: 'reasoning', text, signature: sig });
    // In its own provider's slot the value is raw, and the visible text is the text.
    expect(reasoningToSlot({ text, signature: sig }, 'anthropic')).toBe(sig.value);
    expect(reasoningFromSlot(sig.value, 'anthropic', text)).toEqual({ type: 'reasoning', text, signature: sig });
  });

  it('marks redacted thinking and text-part signatures so each comes back as what it was', () => {
    const redacted = { provider: 'anthropic' as const, value: 'EmwKAhgBEgy3' };
    expect(reasoningFromSlot(reasoningToSlot({ text: '', redacted }, 'openai-responses')!, 'openai-responses', '')).toEqual({ type: 'reasoning', text: '', redacted });
    const g = { provider: 'gemini' as const, value: 'EtoFCtcFAb4+9vt==' };
    expect(reasoningFromSlot(textSignatureToSlot(g), 'anthropic', '')).toEqual({ type: 'text', text: '', signature: g });
    // Old envelopes (no kind, no text) still decode as before.
    expect(reasoningFromSlot(opaqueToSlot(sig, 'gemini'), 'gemini', 'shown')).toEqual({ type: 'reasoning', text: 'shown', signature: sig });
  });
});
