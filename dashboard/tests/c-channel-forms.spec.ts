/**
 * The channel dialog's provider presets and a delete that names the groups it touches, at desktop
 * and phone widths, with screenshots. Self-contained: runs alone or after the flow (its names do
 * not collide).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login, upstreamChat } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

const SHOTS = join(root, 'screenshots');

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test('provider presets fill type and base URL; deleting a channel names the groups it leaves', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await login(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('button', { name: 'New channel' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Provider').selectOption({ label: 'Anthropic' });
  await expect(dialog.getByLabel('Type')).toHaveValue('anthropic');
  await expect(dialog.getByLabel('Base URL')).toHaveValue('https://api.anthropic.com/v1');
  await expect(dialog.getByText('https://api.anthropic.com/v1/messages')).toBeVisible();
  await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('anthropic');
  await dialog.getByLabel('Provider').selectOption({ label: 'Groq' });
  await expect(dialog.getByLabel('Type')).toHaveValue('openai-chat');
  await expect(dialog.getByLabel('Base URL')).toHaveValue('https://api.groq.com/openai/v1');
  // A name typed by the user is kept.
  await expect(dialog.getByLabel('Name', { exact: true })).toHaveValue('anthropic');
  await page.screenshot({ path: join(SHOTS, 'channel-preset-1280.png') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // A channel used by two groups: the confirmation names both.
  const ch = await page.request.post('/api/v1/channels', { data: { name: 'del-ui', type: 'openai-chat', baseUrl: `${upstreamChat()}/v1`, keys: ['sk-del-ui-0001'], models: ['m1'] } });
  const channelId = ((await ch.json()) as { id: number }).id;
  for (const name of ['del-ui-a', 'del-ui-b']) {
    expect((await page.request.post('/api/v1/groups', { data: { name, members: [{ channelId, upstreamModel: 'm1' }] } })).status()).toBe(201);
  }
  await page.reload();
  await page.getByRole('button', { name: 'Delete del-ui' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete channel' });
  await expect(confirm.getByText('Delete “del-ui”? Its members are removed from 2 groups: “del-ui-a”, “del-ui-b”.')).toBeVisible();
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: join(SHOTS, 'channel-delete-375.png') });
  await confirm.getByRole('button', { name: 'Delete channel' }).click();
  await expect(page.getByRole('row', { name: /del-ui/ })).toHaveCount(0);
  const groups = (await (await page.request.get('/api/v1/groups')).json()) as { data: { name: string; members: unknown[] }[] };
  expect(groups.data.filter((g) => g.name.startsWith('del-ui-')).map((g) => g.members.length)).toEqual([0, 0]);
  expect(errors).toEqual([]);
});
