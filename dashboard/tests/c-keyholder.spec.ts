/**
 * The key holder page (/my, issue 14 item 10): reached from the login page without an admin
 * session, a client key typed in (kept in sessionStorage only, sent as Bearer, no cookie) shows its
 * own usage, budget, limits, cost by model and recent requests, at 1280 and 375 px; a wrong key and
 * a disabled key are answered plainly. Makes its own channel, group and keys over the fake upstream.
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, expectStatus, gatewayUrl, login, upstreamChat } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

test('a key holder sees their own usage, budget, limits and requests with only their key, at 1280 and 375 px', async ({ page, browser }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page);
  // Saved every 5 s, as b-flow leaves it (set here too, so this spec also runs on its own).
  const settings = (await (await page.request.get('/api/v1/settings')).json()) as { statsSaveIntervalSeconds: number };
  await expectStatus(await page.request.put('/api/v1/settings', { data: { statsSaveIntervalSeconds: 5 } }), 200, 'settings');
  const ch = await page.request.post('/api/v1/channels', { data: { name: 'kh-ui', type: 'openai-chat', baseUrl: `${upstreamChat()}/v1`, keys: ['sk-upstream-kh-ui-0001'] } });
  await expectStatus(ch, 201, 'channel');
  const channelId = ((await ch.json()) as { id: number }).id;
  // A model of its own with a user price, so the cost is known to be more than zero.
  await expectStatus(await page.request.put('/api/v1/prices/kh-nano', { data: { input: 10, output: 40 } }), 200, 'price');
  await expectStatus(await page.request.post('/api/v1/groups', { data: { name: 'kh-chat', members: [{ channelId, upstreamModel: 'kh-nano' }] } }), 201, 'group');
  const made = await page.request.post('/api/v1/keys', { data: { name: 'kh-holder', budgetUsd: 5, rpmLimit: 60, allowedGroups: ['kh-chat'] } });
  await expectStatus(made, 201, 'key');
  const { key, id } = (await made.json()) as { key: string; id: number };
  const other = await page.request.post('/api/v1/keys', { data: { name: 'kh-other' } });
  await expectStatus(other, 201, 'other key');
  const otherKey = ((await other.json()) as { key: string }).key;
  const chat = async (k: string, i: number) => expectStatus(await page.request.post('/v1/chat/completions', {
    headers: { authorization: `Bearer ${k}` }, data: { model: 'kh-chat', messages: [{ role: 'user', content: `keyholder ${i}` }] },
  }), 200, 'chat');
  await chat(key, 0);
  await chat(key, 1);
  await chat(otherKey, 2);

  // A browser without the admin session: the login page links to /my, which does not redirect back.
  const holderContext = await browser.newContext({ baseURL: gatewayUrl(), viewport: { width: 1280, height: 900 } });
  const holder = await holderContext.newPage();
  // Chromium logs each 4xx answer as a console error: the wrong and the disabled key below are on purpose.
  const errors = collectConsoleErrors(holder, [/status of 40[13]/]);
  await holder.goto('/login');
  await holder.getByRole('link', { name: 'Have a client key? See your usage' }).click();
  await expect(holder).toHaveURL(/\/my$/);
  await expect(holder.getByRole('heading', { name: 'Your usage', level: 1 })).toBeVisible();

  // A wrong key: said at the form, nothing kept.
  await holder.getByLabel('Client key').fill('sk-oe-not-a-real-key');
  await holder.getByRole('button', { name: 'Show my usage' }).click();
  await expect(holder.getByRole('alert')).toHaveText('This key is not valid on this gateway. Check that you copied all of it.');
  expect(await holder.evaluate(() => sessionStorage.length)).toBe(0);

  await holder.getByLabel('Client key').fill(key);
  await holder.getByRole('button', { name: 'Show my usage' }).click();
  await expect(holder.getByRole('heading', { name: 'kh-holder', level: 1 })).toBeVisible();
  // The stats save runs every few seconds: refresh until the key's two requests are there.
  const rows = holder.getByTestId('my-request');
  await expect(async () => {
    await holder.getByRole('button', { name: 'Refresh' }).click();
    await expect(rows).toHaveCount(2, { timeout: 2000 });
  }).toPass({ timeout: 45_000 });
  await expect(rows.first()).toContainText('kh-chat');
  await expect(rows.first()).toContainText('200');
  await expect(holder.getByTestId('my-cards')).toContainText('Requests');
  await expect(holder.getByTestId('my-cards').locator('.card').first()).toContainText(/Requests\s*2\s*2 succeeded/);
  await expect(holder.getByTestId('remaining')).toHaveText(/^\$\d\.\d\d left of \$5\.00$/);
  const bar = holder.getByRole('progressbar', { name: 'Budget used' });
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(5);
  const limits = holder.getByTestId('my-limits');
  await expect(limits).toContainText(/Requests per minute\s*60/);
  await expect(limits).toContainText(/Tokens per minute\s*No limit/);
  await expect(limits).toContainText(/Expires\s*Never/);
  await expect(limits).toContainText(/Models\s*kh-chat/);
  await expect(holder.getByTestId('my-models')).toContainText('kh-nano');
  await expect(holder.getByRole('img', { name: /over time by model/ })).toBeVisible();

  // The key lives in this tab's sessionStorage only: no cookie, nothing in localStorage.
  expect(await holder.evaluate(() => sessionStorage.getItem('oe-client-key'))).toBe(key);
  expect(await holder.evaluate(() => Object.values({ ...localStorage }).some((v) => v.includes('sk-oe-')))).toBe(false);
  expect(await holderContext.cookies()).toEqual([]);
  // And the answer is this key's alone: the admin's log of the key lists the same two requests.
  const adminLogs = ((await (await page.request.get(`/api/v1/logs?keyId=${id}`)).json()) as { data: unknown[] }).data;
  expect(adminLogs).toHaveLength(2);
  await holder.screenshot({ path: join(root, 'screenshots', 'keyholder-1280.png'), fullPage: true });

  // A reload keeps the key (same tab); on a phone nothing is wider than the screen, requests are cards.
  await holder.reload();
  await expect(holder.getByRole('heading', { name: 'kh-holder', level: 1 })).toBeVisible();
  await holder.setViewportSize({ width: 375, height: 812 });
  await expect(rows).toHaveCount(2);
  await expect.poll(() => holder.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  expect(await rows.first().evaluate((el) => getComputedStyle(el).display)).toBe('block');
  await holder.screenshot({ path: join(root, 'screenshots', 'keyholder-375.png'), fullPage: true });

  // Forget key: back to the form, nothing kept.
  await holder.getByRole('button', { name: 'Forget key' }).click();
  await expect(holder.getByLabel('Client key')).toBeVisible();
  expect(await holder.evaluate(() => sessionStorage.getItem('oe-client-key'))).toBeNull();

  // A disabled key: said plainly, with its name.
  await expectStatus(await page.request.patch(`/api/v1/keys/${id}`, { data: { enabled: false } }), 200, 'disable');
  await holder.getByLabel('Client key').fill(key);
  await holder.getByRole('button', { name: 'Show my usage' }).click();
  await expect(holder.getByTestId('key-refused')).toContainText('This key is disabled.');
  await expect(holder.getByRole('heading', { name: 'kh-holder', level: 1 })).toBeVisible();
  await holder.getByRole('button', { name: 'Use another key' }).click();
  await expect(holder.getByLabel('Client key')).toBeVisible();
  await expectStatus(await page.request.patch(`/api/v1/keys/${id}`, { data: { enabled: true } }), 200, 'enable');
  await expectStatus(await page.request.put('/api/v1/settings', { data: { statsSaveIntervalSeconds: settings.statsSaveIntervalSeconds } }), 200, 'settings back');
  expect(errors).toEqual([]);
  await holderContext.close();
});
