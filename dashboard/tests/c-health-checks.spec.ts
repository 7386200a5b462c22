/**
 * Channel health checks on the channels page (issue 14.6): settings in the channel dialog, the
 * state and recent results in the table, the history dialog with "Check now", at desktop and phone
 * widths with screenshots. Self-contained (its names do not collide with the other specs').
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login, upstreamChat, upstreamFailing } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

const SHOTS = join(root, 'screenshots');

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test('health check settings, state and history on the channels page', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await login(page);
  // A channel whose upstream fails: three checks (as the cron would run them) take it down.
  const ch = await page.request.post('/api/v1/channels', {
    data: { name: 'hc-ui-down', type: 'openai-chat', baseUrl: `${upstreamFailing()}/v1`, keys: ['sk-hc-ui-0001', 'sk-hc-ui-0002'], models: ['gpt-4.1-nano'], healthCheck: { enabled: true, intervalMinutes: 2, failureThreshold: 3 } },
  });
  expect(ch.status(), await ch.text()).toBe(201);
  const downId = ((await ch.json()) as { id: number }).id;
  for (let i = 0; i < 3; i++) expect((await page.request.post(`/api/v1/channels/${downId}/health-check`)).status()).toBe(200);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels', exact: true }).click();
  const row = page.getByRole('row', { name: /hc-ui-down/ });
  await expect(row.getByRole('button', { name: 'Health check history of hc-ui-down: down' })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'channel-health-1280.png') });

  // The groups page marks the member whose channel is down by check.
  expect((await page.request.post('/api/v1/groups', { data: { name: 'hc-ui-group', members: [{ channelId: downId, upstreamModel: 'gpt-4.1-nano' }] } })).status()).toBe(201);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups', exact: true }).click();
  await expect(page.getByRole('row', { name: /hc-ui-down/ }).getByText('down by check')).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels', exact: true }).click();

  // The history: three failures, newest first, keys by position, the upstream's own words.
  await row.getByRole('button', { name: /Health check history of hc-ui-down/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Health checks of hc-ui-down' });
  await expect(dialog.getByTestId('health-state')).toHaveText('down');
  const history = dialog.getByTestId('health-history');
  await expect(history.locator('tbody tr')).toHaveCount(3);
  await expect(history.locator('tbody tr').first()).toContainText('upstream exploded');
  await expect(history.locator('tbody tr').nth(0)).toContainText('#1');
  await expect(history.locator('tbody tr').nth(1)).toContainText('#2');
  await expect(dialog).not.toContainText('sk-hc-ui');
  await page.screenshot({ path: join(SHOTS, 'channel-health-history-1280.png') });

  // The upstream recovers: "Check now" passes and brings the channel back.
  expect((await page.request.patch(`/api/v1/channels/${downId}`, { data: { baseUrl: `${upstreamChat()}/v1` } })).status()).toBe(200);
  await dialog.getByRole('button', { name: 'Check now' }).click();
  await expect(history.locator('tbody tr')).toHaveCount(4);
  await expect(dialog.getByTestId('health-state')).toHaveText('ok');
  await expect(history.locator('tbody tr').first()).toContainText('passed');
  await dialog.getByRole('button', { name: 'Close' }).last().click();
  await expect(row.getByRole('button', { name: 'Health check history of hc-ui-down: ok' })).toBeVisible();

  // Settings in the channel dialog: bounds are checked before anything is sent, then saved.
  await row.getByRole('button', { name: 'Edit hc-ui-down' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit hc-ui-down' });
  await expect(edit.getByRole('switch', { name: 'Check this channel on a schedule' })).toBeChecked();
  await expect(edit.getByLabel('Every (minutes)')).toHaveValue('2');
  await edit.getByLabel('Every (minutes)').fill('0');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.locator('.field-error').first()).toBeVisible();
  await edit.getByLabel('Every (minutes)').fill('15');
  await edit.getByLabel('Model', { exact: true }).fill('gpt-4.1-mini');
  await edit.getByLabel('Down after failures').fill('5');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toHaveCount(0);
  const saved = (await (await page.request.get(`/api/v1/channels/${downId}`)).json()) as { healthCheck: unknown };
  expect(saved.healthCheck).toEqual({ enabled: true, intervalMinutes: 15, model: 'gpt-4.1-mini', failureThreshold: 5 });

  // A new channel without a check says so; turning it on in the dialog stores the defaults.
  await page.getByRole('button', { name: 'New channel' }).first().click();
  const create = page.getByRole('dialog', { name: 'New channel' });
  await create.getByLabel('Name', { exact: true }).fill('hc-ui-new');
  await create.getByLabel('Base URL').fill(`${upstreamChat()}/v1`);
  await create.getByLabel('API keys').fill('sk-hc-ui-new-0001');
  await create.getByLabel('Models').fill('gpt-4.1-nano');
  await create.getByText('Check this channel on a schedule').click();
  await expect(create.getByLabel('Every (minutes)')).toHaveValue('5');
  await page.setViewportSize({ width: 375, height: 800 });
  await create.getByLabel('Every (minutes)').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'channel-health-dialog-375.png') });
  await create.getByRole('button', { name: 'Create channel' }).click();
  await expect(create).toHaveCount(0);
  const list = (await (await page.request.get('/api/v1/channels')).json()) as { data: { name: string; healthCheck: unknown }[] };
  expect(list.data.find((c) => c.name === 'hc-ui-new')!.healthCheck).toEqual({ enabled: true, intervalMinutes: 5, model: null, failureThreshold: 3 });
  await expect(page.getByRole('row', { name: /hc-ui-new/ }).getByRole('button', { name: 'Health check history of hc-ui-new: pending' })).toBeVisible();
  await page.getByRole('row', { name: /hc-ui-down/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'channel-health-375.png') });
  expect(errors).toEqual([]);
});
