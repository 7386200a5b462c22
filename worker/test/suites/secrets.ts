/**
 * Secrets echoed by an upstream in any encoding (issue 12, item 11): a channel key and a credential
 * header value echoed as JSON `\uXXXX` escapes (any hex case), with `\/`, nested, percent-encoded
 * or in base64 never reach the client, the stored log body, attempts[].error or health lastError,
 * whether the reply is passed through or converted, whole or streamed in small writes.
 */
import { describe, expect, it } from 'vitest';
import { forms, leaks } from './secret-forms';
import { tools, uid, type Harness } from './harness';

export function secretsSuite(h: Harness): void {
  const { admin, gateway, login, scenario } = tools(h);

  /** The attempt's secrets: a channel key and a credential header, both with a `/` and a `+`. */
  function secrets() {
    const id = uid();
    const key = `sk-echo/${id}+Zz_0123456789`;
    const header = `HDR+${uid()}/api-secret-98765`;
    return { id, key, header, all: [key, header, id] };
  }

  /** What a client, a log or the health view shows of the secrets (any form), or '' when nothing. */
  function shown(text: string, s: ReturnType<typeof secrets>): string {
    const hit = s.all.find((x) => leaks(text, x));
    return hit === undefined ? '' : `${hit} in ${text.slice(0, 4000)}`;
  }

  /** A failover group over one channel per behaviour, every channel carrying the same key and header. */
  async function echoGroup(cookie: string, s: ReturnType<typeof secrets>, behaviours: object[]) {
    const channelIds: number[] = [];
    for (const b of behaviours) {
      const up = await scenario(b);
      const ch = await admin(cookie, 'POST', '/channels', {
        name: `echo-${uid()}`, type: 'openai-chat', baseUrl: `${up.baseUrl}/v1`, keys: [s.key], headers: { 'api-key': s.header },
      });
      expect(ch.status, JSON.stringify(ch.json)).toBe(201);
      channelIds.push(ch.json.id);
    }
    const group = `echo-${uid()}`;
    const g = await admin(cookie, 'POST', '/groups', {
      name: group, mode: 'failover', settings: { maxAttempts: Math.min(20, behaviours.length), breakerThreshold: 100 },
      members: channelIds.map((channelId) => ({ channelId, upstreamModel: 'm1' })),
    });
    expect(g.status, JSON.stringify(g.json)).toBe(201);
    const clientKey = (await admin(cookie, 'POST', '/keys', { name: `k-${uid()}` })).json.key as string;
    return { group, groupId: g.json.id as number, clientKey };
  }

  /** Calls the group from an OpenAI Chat client (passthrough) or an Anthropic or Gemini client (converted). */
  function call(client: 'openai-chat' | 'anthropic' | 'gemini', r: { group: string; clientKey: string }, stream: boolean) {
    const json = { 'content-type': 'application/json' };
    if (client === 'anthropic') {
      return gateway('/v1/messages', { method: 'POST', headers: { ...json, 'x-api-key': r.clientKey, 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: r.group, stream, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }) });
    }
    if (client === 'gemini') {
      const path = stream ? `/v1beta/models/${r.group}:streamGenerateContent?alt=sse` : `/v1beta/models/${r.group}:generateContent`;
      return gateway(path, { method: 'POST', headers: { ...json, 'x-goog-api-key': r.clientKey }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }) });
    }
    return gateway('/v1/chat/completions', { method: 'POST', headers: { ...json, authorization: `Bearer ${r.clientKey}` }, body: JSON.stringify({ model: r.group, stream, messages: [{ role: 'user', content: 'hi' }] }) });
  }

  /** Every encoded form of the key, and a few of the header, as raw JSON-string content (escapes kept as sent). */
  function echoText(s: ReturnType<typeof secrets>): string {
    const k = forms(s.key);
    const hd = forms(s.header);
    return [...Object.values(k), hd['json \\u lower'], hd['url mixed case'], hd['base64 align 1'], hd['nested json']].map((f, i) => `form ${i}: ${f}`).join('; ');
  }

  /** The request log rows of a group once flushed, as stored (raw columns). */
  async function storedRows(groupId: number, group: string, n: number) {
    expect(await h.flush(groupId, n)).toBe(true);
    const rows = await h.query('SELECT response_body AS body, attempts AS attempts, error AS error FROM request_logs WHERE group_name = ?', group);
    expect(rows.length).toBe(n);
    return rows;
  }

  describe('secrets echoed in any encoding', () => {
    it('a 4xx error body and a 2xx body: never in the reply or the stored log body, passed through or converted', async () => {
      const cookie = await login();
      expect((await admin(cookie, 'PUT', '/settings', { logBodies: true, logBodyMaxBytes: 262_144 })).status).toBe(200);
      const s = secrets();
      const text = echoText(s);

      const fault = await echoGroup(cookie, s, [{ status: 400, body: `{"error":{"message":"Incorrect API key provided: ${text}","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}` }]);
      const ok = await echoGroup(cookie, s, [{ body: `{"id":"c1","object":"chat.completion","created":1,"model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"Your key: ${text}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}` }]);
      for (const client of ['openai-chat', 'anthropic', 'gemini'] as const) {
        const res = await call(client, fault, false);
        const body = await res.text();
        expect(res.status, body).toBe(400);
        expect(shown(body, s), client).toBe('');
        expect(body).toContain('[redacted]');

        const good = await call(client, ok, false);
        const reply = await good.text();
        expect(good.status, reply).toBe(200);
        expect(shown(reply, s), client).toBe('');
        expect(reply).toContain('[redacted]');
      }
      for (const g of [fault, ok]) {
        for (const row of await storedRows(g.groupId, g.group, 3)) {
          expect(String(row.body)).toContain('[redacted]');
          expect(shown(`${row.body} ${row.attempts} ${row.error}`, s)).toBe('');
        }
      }
      expect((await admin(cookie, 'PUT', '/settings', { logBodies: false })).status).toBe(200);
    });

    it('a stream in small writes that cut every form: never in the reply or the stored log body, passed through or converted', async () => {
      const cookie = await login();
      expect((await admin(cookie, 'PUT', '/settings', { logBodies: true, logBodyMaxBytes: 262_144 })).status).toBe(200);
      const s = secrets();
      const chunk = (delta: string, finish: string | null = null) =>
        `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m1","choices":[{"index":0,"delta":{${delta}},"finish_reason":${finish ? `"${finish}"` : 'null'}}]}\n\n`;
      const sse = chunk('"role":"assistant","content":"Hello. "') + chunk(`"content":"Your key: ${echoText(s)}"`) + chunk('', 'stop') + 'data: [DONE]\n\n';
      // 7-byte writes: every form longer than that is cut at least once, escapes included.
      const r = await echoGroup(cookie, s, [{ body: sse, headers: { 'content-type': 'text/event-stream' }, split: 7 }]);
      for (const client of ['openai-chat', 'anthropic', 'gemini'] as const) {
        const res = await call(client, r, true);
        const text = await res.text();
        expect(res.status, text).toBe(200);
        expect(text).toContain('Hello.');
        expect(text).toContain('[redacted]');
        expect(shown(text, s), client).toBe('');
      }
      for (const row of await storedRows(r.groupId, r.group, 3)) {
        expect(String(row.body)).toContain('[redacted]');
        expect(shown(`${row.body} ${row.attempts} ${row.error}`, s)).toBe('');
      }
      expect((await admin(cookie, 'PUT', '/settings', { logBodies: false })).status).toBe(200);
    });

    it('channel faults echoing them (401, 5xx, an error event before content): never in attempts[].error, the log, the reply or health lastError', async () => {
      const cookie = await login();
      const s = secrets();
      // One member per form, so each form sits at the start of one attempt's (cut) error text.
      const k = forms(s.key);
      const hd = forms(s.header);
      const list = [...Object.values(k), hd['json \\u upper'], hd['url lower'], hd['base64url align 2']];
      const behaviours = list.map((f, i) => (i % 3 === 2
        ? { body: `data: {"error":{"message":"${f} is not valid","type":"server_error"}}\n\n`, headers: { 'content-type': 'text/event-stream' } }
        : { status: i % 3 === 0 ? 401 : 503, body: `{"error":{"message":"${f} is not valid","type":"invalid_request_error"}}` }));
      const r = await echoGroup(cookie, s, behaviours.slice(0, 10));
      const r2 = await echoGroup(cookie, s, behaviours.slice(10));
      for (const [client, g, stream] of [['openai-chat', r, true], ['anthropic', r2, true], ['gemini', r, false], ['openai-chat', r2, false]] as const) {
        const res = await call(client, g, stream);
        const text = await res.text();
        expect(res.status, text).toBeGreaterThanOrEqual(400);
        expect(shown(text, s), client).toBe('');
      }
      for (const [g, members] of [[r, 10], [r2, behaviours.length - 10]] as const) {
        const rows = await storedRows(g.groupId, g.group, 2);
        // The first request tried every member (a key refused with 401 may cool down before the second).
        for (const row of rows) expect(shown(`${row.body} ${row.attempts} ${row.error}`, s)).toBe('');
        const errors = rows.flatMap((row) => (JSON.parse(String(row.attempts)) as { error?: string }[]).map((a) => a.error ?? ''));
        expect(errors.filter((e) => e.includes('[redacted]')).length, errors.join('\n')).toBeGreaterThanOrEqual(members);
        const health = JSON.stringify((await admin(cookie, 'GET', `/groups/${g.groupId}/health`)).json);
        expect(health).toContain('[redacted]');
        expect(shown(health, s)).toBe('');
      }
    });
  });
}
