/**
 * Hostile upstream bodies (issue 12 items 4 and 5): a reply labelled gzip that is not gzip, a
 * compression bomb, an SSE line without end. Before the stream is committed each is a channel fault
 * and the next member answers; after it, the client's stream ends with its protocol's own error
 * event; the runtime stays up and later requests work. Caps are the group settings
 * `maxEventChars` and `maxInflatedBytes` (lowered here so the tests stay small and fast).
 */
import { describe, expect, it } from 'vitest';
import { tools, type Harness, until } from './harness';

export function streamsSuite(h: Harness): void {
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);
  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
  const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt';
  /** The start of the recorded answer (non-stream), and a content delta of the recorded stream. */
  const FIRST_WORDS = '**Holiday Name:** Galaxy Day';
  const STREAM_DELTA = '"content":" Harmony"';
  const MiB = 1024 * 1024;

  const chat = (key: string, body: object) => gateway('/v1/chat/completions', {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

  /** The last error the group's health reports for any member, once one is there. */
  async function lastErrors(cookie: string, groupId: number): Promise<string[]> {
    const read = async () => Object.values((await admin(cookie, 'GET', `/groups/${groupId}/health`)).json.members as Record<string, { lastError: string | null }>)
      .map((m) => m.lastError).filter((e): e is string => !!e);
    return until(read, (errs) => errs.length > 0);
  }

  /** A failover group [bad, good]; the good member replays the text recording. */
  async function pair(cookie: string, bad: object, settings: object = {}) {
    const b = await scenario(bad);
    const good = await scenario({ json: TEXT_JSON, stream: TEXT_STREAM });
    const r = await routeTo(cookie, [b, good], { mode: 'failover', settings });
    return { ...r, bad: b, good };
  }

  /** Both shapes answered by the good member, the bad one tried once each. */
  async function expectFailover(r: Awaited<ReturnType<typeof pair>>) {
    const plain = await chat(r.clientKey, { model: r.group });
    const plainText = await plain.text();
    expect(plain.status, plainText.slice(0, 300)).toBe(200);
    expect(JSON.parse(plainText).choices[0].message.content).toContain(FIRST_WORDS);
    const streamed = await chat(r.clientKey, { model: r.group, stream: true });
    const streamText = await streamed.text();
    expect(streamed.status, streamText.slice(0, 300)).toBe(200);
    expect(streamText).toContain(STREAM_DELTA);
    expect(streamText.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(streamText).not.toContain('"error"');
    // The bad member was tried first both times (breaker threshold 3 keeps it in the plan).
    expect((await received(r.bad.id)).length).toBe(2);
    expect((await received(r.good.id)).length).toBe(2);
  }

  describe('hostile upstream bodies', () => {
    it('fails over from a reply labelled gzip whose body is not gzip, and stays up', async () => {
      const cookie = await login();
      const r = await pair(cookie, { json: TEXT_JSON, stream: TEXT_STREAM, headers: { 'content-encoding': 'gzip' } });
      await expectFailover(r);
      expect((await lastErrors(cookie, r.groupId)).join(' ')).toMatch(/decod|terminated|gzip|Z_DATA_ERROR/i);
      // Later requests still work, again and again.
      for (let i = 0; i < 3; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
      expect((await gateway('/healthz')).status).toBe(200);
    });

    it('asks upstreams for gzip and deflate only, and reads replies in either', async () => {
      const cookie = await login();
      const gz = await scenario({ json: TEXT_JSON, stream: TEXT_STREAM, encoding: 'gzip', split: 'random' });
      const df = await scenario({ json: TEXT_JSON, stream: TEXT_STREAM, encoding: 'deflate' });
      for (const up of [gz, df]) {
        const r = await routeTo(cookie, [up]);
        const plain = await chat(r.clientKey, { model: r.group });
        expect(plain.status).toBe(200);
        expect((await plain.json() as any).choices[0].message.content).toContain(FIRST_WORDS);
        const streamed = await (await chat(r.clientKey, { model: r.group, stream: true })).text();
        expect(streamed).toContain(STREAM_DELTA);
        expect(streamed.trimEnd().endsWith('data: [DONE]')).toBe(true);
        for (const q of await received(up.id)) expect(q.headers['accept-encoding']).toBe('gzip, deflate');
      }
    });

    it('fails over from a compression bomb (a small gzip that inflates past maxInflatedBytes)', async () => {
      const cookie = await login();
      // About 12 KB on the wire, 12 MB inflated; the cap is 1 MiB.
      const r = await pair(cookie, { json: TEXT_JSON, stream: TEXT_STREAM, encoding: 'gzip', padding: { chars: 12 * MiB } }, { maxInflatedBytes: MiB });
      await expectFailover(r);
      expect((await lastErrors(cookie, r.groupId)).join(' ')).toContain(`larger than ${MiB} bytes`);
    });

    it('fails over from an SSE line longer than maxEventChars, plain or compressed', async () => {
      const cookie = await login();
      for (const encoding of [undefined, 'gzip']) {
        const r = await pair(cookie, { stream: TEXT_STREAM, padding: { chars: 2 * MiB }, ...(encoding && { encoding }) }, { maxEventChars: 64 * 1024 });
        const res = await chat(r.clientKey, { model: r.group, stream: true });
        const text = await res.text();
        expect(res.status, text.slice(0, 300)).toBe(200);
        expect(text).toContain(STREAM_DELTA);
        expect(text).not.toContain('xxxx');
        expect((await received(r.bad.id)).length).toBe(1);
        expect((await lastErrors(cookie, r.groupId)).join(' ')).toContain('longer than 65536 characters');
      }
    });

    it('after the first content, ends the client stream with its protocol error event (passthrough and converted)', async () => {
      const cookie = await login();
      // Passthrough (bytes as they came): the long line comes after three events, the first content among them.
      const long = await scenario({ stream: TEXT_STREAM, padding: { chars: 2 * MiB, afterEvents: 3 } });
      const a = await routeTo(cookie, [long], { settings: { maxEventChars: 64 * 1024 } });
      const res = await chat(a.clientKey, { model: a.group, stream: true });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain('xxxx');
      const events = text.split('\n\n').filter((e) => e.trim() !== '');
      // Whole events only: every one parses, the error is one of them, and [DONE] closes the stream.
      const errorEvent = events.find((e) => e.includes('"error"'))!;
      expect(errorEvent, text.slice(-500)).toBeDefined();
      expect(JSON.parse(errorEvent.replace(/^data: /, '')).error.message).toContain('longer than 65536 characters');
      expect(events.at(-1)).toBe('data: [DONE]');
      for (const e of events.slice(0, -1)) expect(() => JSON.parse(e.replace(/^data: /, ''))).not.toThrow();

      // Converted (an Anthropic client on an OpenAI channel): the bomb inflates past the cap mid-stream.
      const bomb = await scenario({ stream: TEXT_STREAM, encoding: 'gzip', padding: { chars: 12 * MiB, afterEvents: 3 } });
      const b = await routeTo(cookie, [bomb], { settings: { maxInflatedBytes: MiB } });
      const msg = await gateway('/v1/messages', {
        method: 'POST', headers: { 'x-api-key': b.clientKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: b.group, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(msg.status).toBe(200);
      const sse = await msg.text();
      expect(sse).toContain('event: content_block_delta');
      expect(sse).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]*larger than 1048576 bytes/);

      // A stream that breaks off with bad compressed data mid-way (workerd: the decoder fails; Node's
      // fetch ends the body early or stalls until the idle limit): an error, never a hang or a crash.
      const corrupt = await scenario({ stream: TEXT_STREAM, encoding: 'gzip', corruptAfterBytes: 3000 });
      const c = await routeTo(cookie, [corrupt], { settings: { idleTimeoutMs: 3000 } });
      const broken = await (await chat(c.clientKey, { model: c.group, stream: true })).text();
      expect(broken).toContain('"content":"Holiday"');
      expect(broken).toContain('"error"');
      expect(broken.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect((await gateway('/healthz')).status).toBe(200);
    });

    it('caps what a channel model-list sync inflates', async () => {
      const cookie = await login();
      // 40 MB of JSON (valid: a list followed by spaces) from about 40 KB of gzip; the sync reads at most 32 MiB.
      const up = await scenario({ models: { object: 'list', data: [{ id: 'gpt-a' }] }, encoding: 'gzip', padding: { chars: 40_000_000 } });
      const r = await routeTo(cookie, [up]);
      const res = await admin(cookie, 'POST', `/channels/${r.channelIds[0]}/sync-models`);
      expect(res.status, JSON.stringify(res.json)).toBe(502);
      expect(res.json.error.message).toContain('larger than');
      const ok = await scenario({ models: { object: 'list', data: [{ id: 'gpt-a' }] }, encoding: 'gzip' });
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[0]}`, { baseUrl: `${ok.baseUrl}/v1` });
      expect((await admin(cookie, 'POST', `/channels/${r.channelIds[0]}/sync-models`)).status).toBe(200);
    });

    it('shows and validates the caps in the group settings', async () => {
      const cookie = await login();
      const up = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [up], { settings: { maxEventChars: 8 * MiB, maxInflatedBytes: 32 * MiB } });
      expect((await admin(cookie, 'GET', `/groups/${r.groupId}`)).json.settings).toMatchObject({ maxEventChars: 8 * MiB, maxInflatedBytes: 32 * MiB });
      const bad = await admin(cookie, 'PATCH', `/groups/${r.groupId}`, { settings: { maxEventChars: 10 } });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.json)).toContain('maxEventChars');
    });
  });
}
