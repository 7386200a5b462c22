/**
 * The channel dialog's provider presets and a delete that names the groups it touches, at desktop
 * and phone widths, with screenshots. Self-contained: runs alone or after the flow (its names do
 * not collide).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login, upstreamChat, upstreamFailing } from './env';
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

test('a channel can fetch its models and be tested before it is saved, at 1280 and 375 px', async ({ page }) => {
  // Chromium logs the 502 of the failing fetch below as a console error; that one is on purpose.
  const errors = collectConsoleErrors(page, [/\/api\/v1\/channels\/models/]);
  await login(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels', exact: true }).click();
  const name = `draft-ui-${Date.now()}`;

  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.getByRole('button', { name: 'New channel' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New channel' });
    await dialog.getByLabel('Name', { exact: true }).fill(`${name}-${width}`);
    await dialog.getByLabel('Base URL').fill(`${upstreamChat()}/v1`);
    await dialog.getByLabel('API keys').fill('sk-draft-ui-key-0001');
    await dialog.getByLabel('Models', { exact: true }).fill('my-own-model');
    await dialog.getByRole('button', { name: 'Fetch models' }).click();
    // The fake upstream lists gpt-4.1-nano and gpt-4.1-mini; the typed model stays first.
    await expect(dialog.getByTestId('draft-models-result')).toHaveText('Fetched 2 models: 2 added to the list.');
    await expect(dialog.getByLabel('Models', { exact: true })).toHaveValue('my-own-model\ngpt-4.1-mini\ngpt-4.1-nano');
    await dialog.getByLabel('Model to test').fill('gpt-4.1-nano');
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    await expect(dialog.getByTestId('draft-test-result')).toHaveText(/^Works: gpt-4\.1-nano answered \(HTTP 200\) in \d/);
    await dialog.getByTestId('draft-checks').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `channel-draft-checks-${width}.png`) });

    // An upstream that fails: both say so in words, and nothing was saved.
    await dialog.getByLabel('Base URL').fill(`${upstreamFailing()}/v1`);
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    await expect(dialog.getByTestId('draft-test-result')).toHaveText('Failed: the upstream answered HTTP 500: upstream exploded.');
    await dialog.getByRole('button', { name: 'Fetch models' }).click();
    await expect(dialog.getByTestId('draft-models-result')).toHaveText(/^Could not fetch models: .*HTTP 500/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  }
  const listed = (await (await page.request.get('/api/v1/channels')).json()) as { data: { name: string }[] };
  expect(listed.data.filter((c) => c.name.startsWith(name))).toEqual([]);

  // Editing a stored channel: with no key typed, the stored key (never shown) is used.
  await page.setViewportSize({ width: 1280, height: 800 });
  const ch = await page.request.post('/api/v1/channels', { data: { name: `${name}-edit`, type: 'openai-chat', baseUrl: `${upstreamFailing()}/v1`, keys: ['sk-draft-ui-stored-0002'], models: [] } });
  expect(ch.status()).toBe(201);
  await page.reload();
  await page.getByRole('button', { name: `Edit ${name}-edit` }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${name}-edit` });
  await edit.getByLabel('Base URL').fill(`${upstreamChat()}/v1`);
  await edit.getByRole('button', { name: 'Fetch models' }).click();
  await expect(edit.getByLabel('Models', { exact: true })).toHaveValue('gpt-4.1-mini\ngpt-4.1-nano');
  await edit.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(edit.getByTestId('draft-test-result')).toHaveText(/^Works: gpt-4\.1-mini answered/);
  await edit.getByRole('button', { name: 'Cancel' }).click();
  expect(errors).toEqual([]);
});
