/**
 * Multi-protocol channels in the dashboard (issue 14.5): the channel dialog's "Other endpoints"
 * list (add, a bad base URL refused, saved, shown again, removed) and a group member's protocol
 * pin, offered once its channel has endpoints. Self-contained: runs alone or after the flow.
 */
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login, upstreamChat } from './env';

test.use({ baseURL: gatewayUrl() });

test('other endpoints of a channel and a member protocol pin: saved and shown again', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await login(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('button', { name: 'New channel' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Name', { exact: true }).fill('ep-ui');
  await dialog.getByLabel('Base URL', { exact: true }).fill(`${upstreamChat()}/v1`);
  await dialog.getByLabel('API keys').fill('sk-upstream-ep-ui-0001');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  // The first type that is not the primary (OpenAI Chat) is offered.
  await dialog.getByLabel('Endpoint 1 type').selectOption('anthropic');
  await dialog.getByLabel('Endpoint 1 base URL').fill('ftp://nope');
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await expect(dialog.getByTestId('other-endpoints').locator('.field-error')).toBeVisible();
  await dialog.getByLabel('Endpoint 1 base URL').fill(`${upstreamChat()}/anthropic/v1`);
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await expect(dialog).toBeHidden();

  const list = await page.request.get('/api/v1/channels');
  const ch = ((await list.json()) as { data: { id: number; name: string; endpoints: unknown }[] }).data.find((c) => c.name === 'ep-ui')!;
  expect(ch.endpoints).toEqual([{ type: 'anthropic', baseUrl: `${upstreamChat()}/anthropic/v1` }]);

  await page.getByRole('button', { name: 'Edit ep-ui' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit ep-ui' });
  await expect(edit.getByLabel('Endpoint 1 base URL')).toHaveValue(`${upstreamChat()}/anthropic/v1`);
  await edit.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups', exact: true }).click();
  await page.getByRole('button', { name: 'New group' }).first().click();
  const g = page.getByRole('dialog', { name: 'New group' });
  await g.getByLabel('Name', { exact: true }).fill('ep-ui-group');
  await g.getByLabel('Channel', { exact: true }).selectOption({ label: 'ep-ui' });
  await g.getByLabel('Upstream model').fill('gpt-4.1-nano');
  await g.getByLabel('Protocol', { exact: true }).selectOption('openai-chat');
  await g.getByRole('button', { name: 'Create group' }).click();
  await expect(g).toBeHidden();
  const groups = ((await (await page.request.get('/api/v1/groups')).json()) as { data: { name: string; members: { protocol: string | null }[] }[] }).data;
  expect(groups.find((x) => x.name === 'ep-ui-group')!.members[0]!.protocol).toBe('openai-chat');

  // Removing the endpoint clears it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('button', { name: 'Edit ep-ui' }).click();
  const again = page.getByRole('dialog', { name: 'Edit ep-ui' });
  await again.getByRole('button', { name: 'Remove endpoint 1' }).click();
  await again.getByRole('button', { name: 'Save changes' }).click();
  await expect(again).toBeHidden();
  const after = ((await (await page.request.get(`/api/v1/channels/${ch.id}`)).json()) as { endpoints: unknown }).endpoints;
  expect(after).toBeNull();
  expect(errors).toEqual([]);
});
