/** Failover and health in the group state holder, with the fake upstream injecting each fault class; sticky sessions. */
import { describe, expect } from 'vitest';
import { CLIENT_PROTOCOLS, callAs, type ClientProtocol } from './clients';
import { tools, until, type Harness } from './harness';
import { describeFor, itFor, type SuitePart } from './part';

export function failoverSuite(h: Harness, part: SuitePart = 'all'): void {
  const wireIt = itFor(part, 'wire');
  const storeIt = itFor(part, 'store');
  const wireDescribe = describeFor(part, 'wire');
  const { admin, gateway, login, received, routeTo, scenario } = tools(h);

  const TEXT_JSON = 'openai-chat/vercel__openai-text.json';
  const TEXT_STREAM = 'openai-chat/vercel__openai-text.chunks.txt';

  function chat(key: string, body: object) {
    return gateway('/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }) });
  }

  describe('failover under faults', () => {
    wireIt('serves 1,000 requests with a dead primary through the backup, 10 at a time', async () => {
      const cookie = await login();
      const dead = await scenario({ status: 500, body: { error: { message: 'down' } } });
      const backup = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [dead, backup], { mode: 'failover', settings: { breakerThreshold: 3, breakerBaseMs: 60_000, breakerCapMs: 600_000 } });
      const statuses: number[] = [];
      // Every answer that is not a 200, with the start of its body, so a failure says what happened.
      const others: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < 1000) {
          next++;
          const res = await chat(r.clientKey, { model: r.group });
          const text = await res.text();
          statuses.push(res.status);
          if (res.status !== 200) others.push(`#${statuses.length} ${res.status} ${text.slice(0, 300)}`);
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
      expect(statuses).toHaveLength(1000);
      expect(others).toEqual([]);
      // Three faults open the breaker; only requests already in flight then can still reach the dead member.
      expect((await received(dead.id)).length).toBeLessThanOrEqual(3 + 10);
      expect((await received(backup.id)).length).toBe(1000);
      const health = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
      const deadHealth = Object.values(health).find((h: any) => h.lastStatus === 500) as any;
      expect(deadHealth).toMatchObject({ phase: 'open' });
      // Every group's health in one answer: this group's entry is what its own endpoint says
      // (the breaker's remaining time aside, read a moment apart), and a group without patterns has no catches.
      const all = await admin(cookie, 'GET', '/groups/health');
      expect(all.status).toBe(200);
      const mine = all.json.groups[r.groupId];
      expect(Object.keys(mine.members).sort()).toEqual(Object.keys(health).sort());
      expect(Object.values(mine.members).find((h: any) => h.lastStatus === 500)).toMatchObject({ phase: 'open', consecutiveFailures: deadHealth.consecutiveFailures });
      expect(mine.catches).toBeUndefined();
      expect(Object.keys(all.json.groups).length).toBeGreaterThanOrEqual(1);
    }, 300_000);

    wireIt('shows health at a glance: group status, member states (a 429-ing member is not green), traffic numbers, plain errors, a channel rollup', async () => {
      const cookie = await login();
      const limited = await scenario({ status: 429, headers: { 'retry-after': '60' }, body: { error: { message: 'Rate limit reached for requests', type: 'requests' } } });
      const refused = await scenario({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } });
      const good = await scenario({ stream: TEXT_STREAM, latencyMs: 20 });
      // Failover (same priority: by member id, the order given): the first request tries all three (the 429
      // cools the limited key, the 401 the refused one); the next ones go straight to the good member.
      const r = await routeTo(cookie, [limited, refused, good], { mode: 'failover' });
      const [limitedCh, refusedCh, goodCh] = r.channelIds;
      const members = (await admin(cookie, 'GET', `/groups/${r.groupId}`)).json.members as { id: number; channelId: number }[];
      const memberOf = (ch: number | undefined) => members.find((m) => m.channelId === ch)!.id;
      const [limitedId, refusedId, goodId] = [memberOf(limitedCh), memberOf(refusedCh), memberOf(goodCh)];
      const N = 5;
      for (let i = 0; i < N; i++) {
        const res = await chat(r.clientKey, { model: r.group, stream: true });
        expect(res.status).toBe(200);
        await res.text();
      }
      // Finishes reach the group's holder after the response (coalesced on the Worker): wait for all of them.
      const all = await until(() => admin(cookie, 'GET', '/groups/health'), (a) => a.json?.groups?.[r.groupId]?.members?.[goodId]?.recent?.ok === N);
      expect(all.status).toBe(200);
      const mine = all.json.groups[r.groupId];
      expect(mine).toMatchObject({ status: 'degraded', reason: '1 of 3 members healthy' });
      const ok = mine.members[goodId];
      expect(ok).toMatchObject({ state: 'healthy', routable: true, problem: null, recent: { samples: N, ok: N, failed: 0, rateLimited: 0, successRate: 1 } });
      expect(ok.recent.latencyP50Ms).toBeGreaterThan(0);
      expect(ok.recent.latencyP95Ms).toBeGreaterThanOrEqual(ok.recent.latencyP50Ms);
      expect(ok.recent.ttftP50Ms).toBeGreaterThanOrEqual(0);
      expect(ok.recent.ttftP50Ms).toBeLessThanOrEqual(ok.recent.latencyP95Ms);
      // The 429-ing member: rate limited, not green, its error in plain words, the upstream's words as the detail.
      expect(mine.members[limitedId]).toMatchObject({
        state: 'rate-limited', routable: false, lastStatus: 429, keys: { total: 1, rateLimited: 1, unauthorised: 0 },
        recent: { ok: 0, failed: 0, successRate: 0 },
        problem: { text: 'upstream returned 429: rate limited', detail: 'Rate limit reached for requests' },
      });
      expect(mine.members[refusedId]).toMatchObject({
        state: 'down', routable: false, keys: { total: 1, rateLimited: 0, unauthorised: 1 },
        problem: { text: 'upstream returned 401: invalid key', detail: 'Incorrect API key provided' },
      });
      // Per channel, across its groups.
      expect(all.json.channels[goodCh!]).toMatchObject({ state: 'healthy', members: 1, recent: { ok: N, successRate: 1 } });
      expect(all.json.channels[goodCh!].recent.latencyP50Ms).toBeGreaterThan(0);
      // (a request planned before the holder saw the first 429 may have met it again)
      expect(mine.members[limitedId].recent.rateLimited).toBeGreaterThanOrEqual(1);
      expect(all.json.channels[limitedCh!]).toMatchObject({ state: 'rate-limited', recent: { ok: 0 } });
      expect(all.json.channels[refusedCh!]).toMatchObject({ state: 'down' });
      // The one-group endpoint says the same.
      const one = await admin(cookie, 'GET', `/groups/${r.groupId}/health`);
      expect(one.json).toMatchObject({ status: 'degraded', members: { [limitedId]: { state: 'rate-limited' }, [refusedId]: { state: 'down' } } });
    }, 60_000);

    wireIt('lets the dead member see one probe per cooldown, never two', async () => {
      const cookie = await login();
      const dead = await scenario({ status: 503, body: 'unavailable' });
      const backup = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [dead, backup], { mode: 'failover', settings: { breakerThreshold: 1, breakerBaseMs: 400, breakerCapMs: 400 } });
      // Keep asking until the dead member has been probed three times after its first failure.
      const t0 = Date.now();
      while (Date.now() - t0 < 20_000 && (await received(dead.id)).length < 4) {
        const res = await chat(r.clientKey, { model: r.group });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      const at = (await received(dead.id)).map((q) => q.at);
      expect(at.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(390);
    }, 60_000);

    wireIt('returns a 400 once and never retries it', async () => {
      const cookie = await login();
      const bad = await scenario({ status: 400, json: 'openai-chat/vercel__reasoning-model-legacy-parameter-error.json' });
      const other = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [bad, other], { mode: 'failover' });
      for (let i = 0; i < 5; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(400);
      expect(await received(bad.id)).toHaveLength(5);
      expect(await received(other.id)).toHaveLength(0);
      const health = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
      expect(Object.values(health).every((h: any) => h.consecutiveFailures === 0)).toBe(true);
    });

    wireIt('abandons a primary that stalls past the first-byte timeout', async () => {
      const cookie = await login();
      const slow = await scenario({ json: TEXT_JSON, latencyMs: 5000 });
      const fast = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [slow, fast], { mode: 'failover', settings: { firstByteTimeoutMs: 1000 } });
      const t0 = Date.now();
      const res = await chat(r.clientKey, { model: r.group });
      expect(res.status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(3000);
    });

    wireIt('fails over when the stream carries an error event before any content', async () => {
      const cookie = await login();
      const failing = await scenario({ stream: 'openai-responses/vercel__openai-error.1.chunks.txt' });
      const good = await scenario({ stream: 'openai-responses/vercel__openai-web-search-tool.1.chunks.txt' });
      const r = await routeTo(cookie, [failing, good], { mode: 'failover', channelType: 'openai-responses' });
      const res = await chat(r.clientKey, { model: r.group, stream: true });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('data: [DONE]');
      expect(text).not.toContain('insufficient_quota');
      expect(await received(failing.id)).toHaveLength(1);
      expect(await received(good.id)).toHaveLength(1);
    });

    wireIt('reconnects once when the last member\'s connection drops at once (a stale pooled socket)', async () => {
      const cookie = await login();
      const flaky = await scenario({ steps: [{ fault: { kind: 'drop' } }, { json: TEXT_JSON }] });
      const r = await routeTo(cookie, [flaky]);
      const res = await chat(r.clientKey, { model: r.group });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect(await received(flaky.id)).toHaveLength(2);
    });

    wireIt('fails over when a non-stream answer breaks off or stalls mid-body, and logs the failed attempt', async () => {
      const cookie = await login();
      const resets = await scenario({ json: TEXT_JSON, fault: { kind: 'reset', afterBytes: 300 } });
      const stalls = await scenario({ json: TEXT_JSON, fault: { kind: 'stall', afterBytes: 300 } });
      const good = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [resets, stalls, good], { mode: 'failover', settings: { idleTimeoutMs: 1000 } });
      const res = await chat(r.clientKey, { model: r.group });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).choices[0].message.content.length).toBeGreaterThan(100);
      await h.flush(r.groupId, 1);
      const [log] = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=5`)).json.data;
      expect(log.attempts.map((a: any) => a.status)).toEqual([0, 0, 200]);
      expect(log.attempts[0].error).toContain('in the middle of its answer');
      expect(log.attempts[1].error).toContain('sent nothing for 1000 ms');
    });

    wireIt('answers 503 in the caller\'s protocol, logged, when the only member breaks off mid-body', async () => {
      const cookie = await login();
      const resets = await scenario({ json: 'anthropic/vercel__anthropic-text.json', fault: { kind: 'reset', afterBytes: 100 } });
      const r = await routeTo(cookie, [resets], { channelType: 'anthropic', upstreamModel: 'claude-haiku-4-5' });
      const res = await gateway('/v1/messages', { method: 'POST', headers: { 'x-api-key': r.clientKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: JSON.stringify({ model: r.group, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }) });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
      await h.flush(r.groupId, 1);
      const [log] = (await admin(cookie, 'GET', `/logs?group=${r.group}&limit=5`)).json.data;
      expect(log).toMatchObject({ status: 503 });
    });

    wireIt('fails over when an upstream stream ends before any content', async () => {
      const cookie = await login();
      const empty = await scenario({ stream: TEXT_STREAM, fault: { kind: 'reset', afterBytes: 0 } });
      const good = await scenario({ stream: TEXT_STREAM });
      const r = await routeTo(cookie, [empty, good], { mode: 'failover' });
      const res = await chat(r.clientKey, { model: r.group, stream: true });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('data: [DONE]');
    });

    wireIt('after the first byte, a reset ends the stream with a protocol-correct error, and the member is penalised', async () => {
      const cookie = await login();
      const breaks = await scenario({ stream: TEXT_STREAM, fault: { kind: 'reset', afterBytes: 3000 } });
      const other = await scenario({ stream: TEXT_STREAM });
      const r = await routeTo(cookie, [breaks, other], { mode: 'failover' });
      const res = await chat(r.clientKey, { model: r.group, stream: true });
      expect(res.status).toBe(200);
      const text = await res.text();
      const events = text.split('\n\n').filter(Boolean);
      expect(events.at(-1)).toBe('data: [DONE]');
      expect(JSON.parse(events.at(-2)!.replace(/^data: /, ''))).toMatchObject({ error: { message: expect.stringContaining('upstream') } });
      expect(await received(other.id)).toHaveLength(0);
    });

    wireIt('ends an idle stream after the idle timeout instead of hanging', async () => {
      const cookie = await login();
      const stall = await scenario({ stream: TEXT_STREAM, fault: { kind: 'stall', afterBytes: 3000 } });
      const r = await routeTo(cookie, [stall], { settings: { idleTimeoutMs: 1000 } });
      const t0 = Date.now();
      const res = await chat(r.clientKey, { model: r.group, stream: true });
      const text = await res.text();
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(text).toContain('no data from the upstream for 1000 ms');
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    wireIt('never outlives the deadline, even when every candidate is slow', async () => {
      const cookie = await login();
      const slow = [await scenario({ json: TEXT_JSON, latencyMs: 4000 }), await scenario({ json: TEXT_JSON, latencyMs: 4000 })];
      const r = await routeTo(cookie, slow, { settings: { deadlineMs: 1500, firstByteTimeoutMs: 3000 } });
      const t0 = Date.now();
      const res = await chat(r.clientKey, { model: r.group });
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(res.status).toBe(503);
    });

    wireIt('answers 429 with Retry-After when every channel is rate limited, and while its key cools down, in the caller\'s protocol', async () => {
      const cookie = await login();
      const a = await scenario({ status: 429, json: 'openai-responses/vercel__openai-error.1.json', headers: { 'retry-after': '7' } });
      const r = await routeTo(cookie, [a]);
      const res = await chat(r.clientKey, { model: r.group });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      // The key is now cooling down (once the report has landed): the next requests get a 429 at
      // once, with Retry-After, without calling upstream.
      await until(async () => (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members, (m) => Object.values(m).some((x: any) => x.lastStatus === 429));
      const waitOf = (x: Response) => Number(x.headers.get('retry-after'));
      const again = await chat(r.clientKey, { model: r.group });
      expect(again.status).toBe(429);
      expect(waitOf(again)).toBeGreaterThan(0);
      expect(waitOf(again)).toBeLessThanOrEqual(7);
      expect(((await again.json()) as any).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      const anthropic = await callAs(gateway, 'anthropic', r.clientKey, r.group);
      expect(anthropic.status).toBe(429);
      expect(waitOf(anthropic)).toBeGreaterThan(0);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      const gemini = await callAs(gateway, 'gemini', r.clientKey, r.group, true);
      expect(gemini.status).toBe(429);
      expect(waitOf(gemini)).toBeGreaterThan(0);
      const g = ((await gemini.json()) as any).error;
      expect(g).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
      expect(g.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${waitOf(gemini)}s` });
      expect(await received(a.id)).toHaveLength(1);
    });

    wireIt('answers a 502 without the upstream\'s words when the upstream refuses the channel key, then 503 while that key cools down', async () => {
      const cookie = await login();
      const a = await scenario({ status: 401, body: { error: { message: 'Incorrect API key provided: sk-up***9999.', type: 'invalid_request_error', code: 'invalid_api_key' } } });
      const r = await routeTo(cookie, [a]);
      const res = await chat(r.clientKey, { model: r.group });
      expect(res.status).toBe(502);
      const body = (await res.json()) as any;
      expect(body.error).toMatchObject({ type: 'server_error', code: 'upstream_auth_failed' });
      expect(JSON.stringify(body)).not.toContain('sk-up');
      await until(async () => (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members, (m) => Object.values(m).some((x: any) => x.lastStatus === 401));
      const again = await chat(r.clientKey, { model: r.group });
      expect(again.status).toBe(503);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await received(a.id)).toHaveLength(1);
    });

    storeIt('keeps breaker state across a restart of the group state holder', async () => {
      const cookie = await login();
      const dead = await scenario({ status: 502, body: 'bad gateway' });
      const good = await scenario({ json: TEXT_JSON });
      const r = await routeTo(cookie, [dead, good], { mode: 'failover', settings: { breakerThreshold: 1, breakerBaseMs: 60_000 } });
      expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
      // Let the report land (it is sent after the reply: up to 5 s on a busy machine), then restart
      // every object (memory gone; storage kept).
      for (let i = 0; i < 250; i++) {
        const h = (await admin(cookie, 'GET', `/groups/${r.groupId}/health`)).json.members;
        if (Object.values(h).some((x: any) => x.phase === 'open')) break;
        await new Promise((ok) => setTimeout(ok, 20));
      }
      await h.restart();
      for (let i = 0; i < 5; i++) expect((await chat(r.clientKey, { model: r.group })).status).toBe(200);
      expect(await received(dead.id)).toHaveLength(1);
      const stored = await h.routingState(r.groupId);
      expect(Object.values(stored.breakers).some((b: any) => b.until > Date.now())).toBe(true);
    });
  });

  wireDescribe('when every member fails with a status the client must act on', () => {
    /** A 404 "model not found" in each channel protocol's own error shape. */
    const NOT_FOUND: Record<ClientProtocol, { body: object; message: string }> = {
      // OpenAI API reference, "Error codes"; the message as OpenAI words it.
      'openai-chat': { body: { error: { message: 'The model `up-model` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } }, message: 'The model `up-model` does not exist or you do not have access to it.' },
      'openai-responses': { body: { error: { message: 'The model `up-model` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } }, message: 'The model `up-model` does not exist or you do not have access to it.' },
      // Anthropic API reference, "Errors": 404 not_found_error.
      anthropic: { body: { type: 'error', error: { type: 'not_found_error', message: 'model: up-model' }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' }, message: 'model: up-model' },
      // Gemini API, google.rpc.Status with NOT_FOUND.
      gemini: { body: { error: { code: 404, message: 'models/up-model is not found for API version v1beta, or is not supported for generateContent.', status: 'NOT_FOUND' } }, message: 'models/up-model is not found for API version v1beta, or is not supported for generateContent.' },
    };

    /** Two members of `channel`'s protocol that both answer 404, tried in order. */
    async function twoNotFound(channel: ClientProtocol) {
      const cookie = await login();
      const ups = [await scenario({ status: 404, body: NOT_FOUND[channel].body }), await scenario({ status: 404, body: NOT_FOUND[channel].body })];
      const r = await routeTo(cookie, ups, { mode: 'failover', channelType: channel, upstreamModel: 'up-model' });
      return { r, ups };
    }

    for (const protocol of CLIENT_PROTOCOLS) {
      wireIt(`${protocol}: the last upstream 404 and its body, as sent, after both members were tried`, async () => {
        const { r, ups } = await twoNotFound(protocol);
        const res = await callAs(gateway, protocol, r.clientKey, r.group);
        expect(res.status).toBe(404);
        expect(res.headers.get('retry-after')).toBeNull();
        expect(await res.json()).toEqual(NOT_FOUND[protocol].body);
        for (const u of ups) expect(await received(u.id)).toHaveLength(1);
      });
    }

    wireIt('the last upstream 404 translated into the caller\'s protocol, streaming or not', async () => {
      const expectations: [ClientProtocol, ClientProtocol, boolean, (body: any) => void][] = [
        ['openai-chat', 'anthropic', true, (b) => expect(b.error).toMatchObject({ message: 'model: up-model', type: 'invalid_request_error', code: 'not_found_error' })],
        ['anthropic', 'gemini', false, (b) => expect(b).toEqual({ type: 'error', error: { type: 'not_found_error', message: NOT_FOUND.gemini.message } })],
        ['gemini', 'openai-chat', true, (b) => expect(b.error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: NOT_FOUND['openai-chat'].message })],
        ['openai-responses', 'anthropic', false, (b) => expect(b.error).toMatchObject({ message: 'model: up-model', type: 'invalid_request_error' })],
      ];
      for (const [client, channel, stream, check] of expectations) {
        const { r, ups } = await twoNotFound(channel);
        const res = await callAs(gateway, client, r.clientKey, r.group, stream);
        expect(res.status, `${client} ← ${channel}`).toBe(404);
        check(await res.json());
        for (const u of ups) expect(await received(u.id)).toHaveLength(1);
      }
    });

    wireIt('an error event that opens every member\'s stream counts like its HTTP status: insufficient_quota is a 429', async () => {
      for (const protocol of ['openai-responses', 'openai-chat'] as const) {
        const cookie = await login();
        const ups = [await scenario({ stream: 'openai-responses/vercel__openai-error.1.chunks.txt' }), await scenario({ stream: 'openai-responses/vercel__openai-error.1.chunks.txt' })];
        const r = await routeTo(cookie, ups, { mode: 'failover', channelType: 'openai-responses' });
        const res = await callAs(gateway, protocol, r.clientKey, r.group, true);
        expect(res.status, protocol).toBe(429);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await res.json()) as any).error).toMatchObject({ type: 'rate_limit_error', code: 'insufficient_quota', message: expect.stringContaining('You exceeded your current quota') });
        for (const u of ups) expect(await received(u.id)).toHaveLength(1);
      }
    });

    wireIt('an upstream 503 after a 404 is what the client hears, with its Retry-After and its message redacted of the channel key', async () => {
      const cookie = await login();
      const secret = 'sk-upstream-echoed-0123456789';
      const a = await scenario({ status: 404, body: NOT_FOUND['openai-chat'].body });
      const b = await scenario({ status: 503, body: { error: { message: `overloaded, key ${secret}`, type: 'server_error' } }, headers: { 'retry-after': '3' } });
      const r = await routeTo(cookie, [a, b], { mode: 'failover' });
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[1]}`, { keys: [secret] });
      const res = await callAs(gateway, 'anthropic', r.clientKey, r.group);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'overloaded, key [redacted]' } });
    });
  });

  describe('sticky sessions', () => {
    storeIt('keeps a session on one member and moves it at once, for good, when that member fails', async () => {
      const cookie = await login();
      const ups = [await scenario({ json: TEXT_JSON }), await scenario({ json: TEXT_JSON }), await scenario({ json: TEXT_JSON })];
      const r = await routeTo(cookie, ups, { settings: { stickyTtlMs: 60_000, breakerThreshold: 1 } });
      const served = async () => {
        const counts = await Promise.all(ups.map(async (u) => (await received(u.id)).length));
        return counts;
      };
      /**
       * The member session-a is bound to in the group's stored routing state (the group has one
       * session, so the sticky map's only entry), or undefined before the first report landed.
       */
      const boundTo = async (): Promise<number | undefined> => {
        const sessions = Object.values((await h.routingState(r.groupId))?.sticky ?? {}) as { memberId: number }[];
        return sessions[0]?.memberId;
      };
      // The binding is made by the request's report, sent after the reply: wait for it (state, not
      // a fixed sleep) after the first request; later requests of the session go where it points.
      const send = async () => expect((await chat(r.clientKey, { model: r.group, user: 'session-a' })).status).toBe(200);
      await send();
      const first = await until(boundTo, (m) => m !== undefined);
      expect(first).toBeDefined();
      for (let i = 1; i < 6; i++) await send();
      const afterA = await served();
      expect(afterA.filter((n) => n === 6)).toHaveLength(1);
      const stickyIndex = afterA.indexOf(6);
      // The sticky member dies: the session moves on at once, and then sticks to its new member.
      const dead = await scenario({ status: 500, body: 'down' });
      await admin(cookie, 'PATCH', `/channels/${r.channelIds[stickyIndex]}`, { baseUrl: `${dead.baseUrl}/v1` });
      // The first request after the death tries the dead member, then another; its report opens the
      // dead member's breaker and re-binds the session in one state write: wait for that write.
      await send();
      const rebound = await until(boundTo, (m) => m !== undefined && m !== first);
      expect(rebound).not.toBe(first);
      for (let i = 1; i < 4; i++) await send();
      const moved = (await served()).map((n, i) => n - afterA[i]!);
      expect(await received(dead.id)).toHaveLength(1); // tried once, then its breaker is open
      expect(moved.filter((n) => n === 4)).toHaveLength(1); // re-bound to one new member
    });
  });
}
