/** `POST /api/v1/channels/:id/test`: one small request to the channel, reported without throwing. */
import { describe, expect, it } from 'vitest';
import { admin, login, received, scenario, uid } from './helpers';

async function channelAt(cookie: string, baseUrl: string, key: string, type = 'openai-chat', models = ['gpt-4.1-nano']) {
  const ch = await admin(cookie, 'POST', '/channels', { name: `t-${uid()}`, type, baseUrl, keys: [key], models });
  expect(ch.status).toBe(201);
  return ch.json.id as number;
}

describe('channel test', () => {
  it('sends one small request in the channel protocol and reports status and latency', async () => {
    const cookie = await login();
    const up = await scenario({ json: 'anthropic/vercel__anthropic-text.json' });
    const id = await channelAt(cookie, `${up.baseUrl}/v1`, 'sk-ant-test-key-123456', 'anthropic', ['claude-haiku-4-5']);
    const res = await admin(cookie, 'POST', `/channels/${id}/test`, {});
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, status: 200, model: 'claude-haiku-4-5' });
    expect(res.json.latencyMs).toBeGreaterThanOrEqual(0);
    const [sent] = await received(up.id);
    expect(sent.path).toMatch(/\/v1\/messages$/);
    expect(typeof sent.body === 'string' ? JSON.parse(sent.body) : sent.body).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 16 });
  });

  it('reports an upstream error with the key redacted, and a dead upstream as status 0', async () => {
    const cookie = await login();
    const secret = 'sk-upstream-secret-value-42';
    const up = await scenario({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${secret}`, type: 'invalid_request_error' } }) });
    const id = await channelAt(cookie, `${up.baseUrl}/v1`, secret);
    const res = await admin(cookie, 'POST', `/channels/${id}/test`, { model: 'other-model' });
    expect(res.json).toMatchObject({ ok: false, status: 401, model: 'other-model' });
    expect(res.json.error).toContain('Incorrect API key');
    expect(res.json.error).not.toContain(secret);

    const dead = await channelAt(cookie, 'http://127.0.0.1:9/v1', 'sk-dead-key-12345678');
    expect((await admin(cookie, 'POST', `/channels/${dead}/test`)).json).toMatchObject({ ok: false, status: 0 });
    expect((await admin(cookie, 'POST', '/channels/999999/test')).status).toBe(404);
    const empty = await channelAt(cookie, 'http://127.0.0.1:9/v1', 'sk-dead-key-12345678', 'openai-chat', []);
    expect((await admin(cookie, 'POST', `/channels/${empty}/test`)).status).toBe(400);
  });
});
