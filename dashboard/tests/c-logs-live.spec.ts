/**
 * The Logs page's "Live" switch (issue 15 item 4): with the stats save interval at an hour, a
 * request sent with the official `openai` SDK shows up in the list within seconds, without a
 * reload, at 1280 and at 375 px. Needs the `fake-openai` channel made by b-flow.spec.ts.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import OpenAI from 'openai';
import { gatewayUrl, login } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

test('Live shows a new request in the list without a reload, at 1280 and 375 px', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page);
  const settings = await (await page.request.get('/api/v1/settings')).json();
  expect((await page.request.put('/api/v1/settings', { data: { statsSaveIntervalSeconds: 3600 } })).status()).toBe(200);
  try {
    const group = `ui-live-${Date.now().toString(36)}`;
    const channels = await (await page.request.get('/api/v1/channels')).json();
    const ch = channels.data.find((c: { name: string }) => c.name === 'fake-openai');
    expect(ch).toBeTruthy();
    expect((await page.request.post('/api/v1/groups', { data: { name: group, members: [{ channelId: ch.id, upstreamModel: 'gpt-4.1-nano' }] } })).status()).toBe(201);
    const key = await page.request.post('/api/v1/keys', { data: { name: `${group}-key` } });
    expect(key.status()).toBe(201);
    const client = new OpenAI({ apiKey: (await key.json()).key, baseURL: `${gatewayUrl()}/v1`, maxRetries: 0 });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Logs', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Logs', level: 1 })).toBeVisible();
    const rows = page.locator('tbody tr', { hasText: group });
    await expect(rows).toHaveCount(0);
    await page.getByRole('switch', { name: 'Live' }).check({ force: true });
    await expect(page.getByTestId('live-state')).toHaveText('live');

    // Keeps the page's identity: a reload would clear this marker.
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    const r = await client.chat.completions.create({ model: group, messages: [{ role: 'user', content: 'live 1' }] });
    expect(r.choices[0]!.message.content).toBeTruthy();
    await expect(rows).toHaveCount(1, { timeout: 10_000 });
    await expect(rows.first()).toContainText('200');
    await page.screenshot({ path: join(root, 'screenshots', 'logs-live-1280.png') });

    await page.setViewportSize({ width: 375, height: 812 });
    await expect(page.getByTestId('live-state')).toBeVisible();
    await client.chat.completions.create({ model: group, messages: [{ role: 'user', content: 'live 2' }] });
    await expect(rows).toHaveCount(2, { timeout: 10_000 });
    await expect(rows.first()).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    // Still not in the database: the rows came from the tail, not from a reload of the list.
    const listed = await (await page.request.get(`/api/v1/logs?group=${group}`)).json();
    expect(listed.data).toHaveLength(0);
    await page.screenshot({ path: join(root, 'screenshots', 'logs-live-375.png'), fullPage: true });

    // Off: the stream closes and the badge goes.
    await page.getByRole('switch', { name: 'Live' }).uncheck({ force: true });
    await expect(page.getByTestId('live-state')).toHaveCount(0);
  } finally {
    await page.request.put('/api/v1/settings', { data: { statsSaveIntervalSeconds: settings.statsSaveIntervalSeconds } });
  }
});
