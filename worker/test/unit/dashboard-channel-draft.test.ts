/** The channel dialog's checks before saving: fetched models into the list, test answers in words (dashboard/src/lib/channel-draft.ts). */
import { describe, expect, it } from 'vitest';
import { fetchedText, mergeFetchedModels, setChannelDraftWords, testText } from '../../../dashboard/src/lib/channel-draft';

describe('mergeFetchedModels', () => {
  it('keeps what the list has, in its order, and appends only the new models once', () => {
    expect(mergeFetchedModels(' my-model \n\ngpt-b\n', ['gpt-a', 'gpt-b', 'gpt-a', 'gpt-c'])).toEqual({ text: 'my-model\ngpt-b\ngpt-a\ngpt-c', added: 2 });
    expect(mergeFetchedModels('', [])).toEqual({ text: '', added: 0 });
  });
});

describe('words', () => {
  it('says how many models came and were added', () => {
    expect(fetchedText(3, 2)).toBe('Fetched 3 models: 2 added to the list, 1 already in it.');
    expect(fetchedText(1, 1)).toBe('Fetched 1 model: 1 added to the list.');
    expect(fetchedText(0, 0)).toMatch(/no models/);
  });
  it('says whether the test worked, with the latency or the upstream error', () => {
    expect(testText({ ok: true, status: 200, latencyMs: 120, model: 'm' })).toBe('Works: m answered (HTTP 200) in 120 ms.');
    expect(testText({ ok: false, status: 401, latencyMs: 5, model: 'm', error: 'Incorrect API key' })).toBe('Failed: the upstream answered HTTP 401: Incorrect API key.');
    expect(testText({ ok: false, status: 0, latencyMs: 3, model: 'm', error: 'connection refused' })).toBe('Failed: no answer from the upstream after 3 ms (connection refused).');
  });
});

describe('channel draft sentences in another language', () => {
  it('uses the installed words, and English again after a reset', () => {
    setChannelDraftWords({
      noModels: () => 'none',
      fetched: (count, one, added, kept) => `${count}/${one}/${added}/${kept}`,
      works: (model, status, time) => `ok ${model} ${status} ${time}`,
      noAnswer: (time, error) => `silent ${time} ${error ?? '-'}`,
      answered: (status, error) => `answered ${status} ${error ?? '-'}`,
    });
    try {
      expect(fetchedText(0, 0)).toBe('none');
      expect(fetchedText(3, 2)).toBe('3/false/2/1');
      expect(fetchedText(1, 1)).toBe('1/true/1/0');
      expect(testText({ ok: true, status: 200, latencyMs: 120, model: 'm' })).toBe('ok m 200 120 ms');
      expect(testText({ ok: false, status: 0, latencyMs: 3, model: 'm' })).toBe('silent 3 ms -');
      expect(testText({ ok: false, status: 401, latencyMs: 5, model: 'm', error: 'bad key' })).toBe('answered 401 bad key');
    } finally {
      setChannelDraftWords();
    }
    expect(fetchedText(1, 1)).toBe('Fetched 1 model: 1 added to the list.');
  });
});
