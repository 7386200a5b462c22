/**
 * Request overrides in the dashboard: the channel dialog's "Request overrides" section (body patch
 * checked as it is typed, header rows, the API's rules in plain words) and a group member's own
 * overrides; then a request through the gateway reaches the upstream patched. Self-contained: runs
 * alone or after the flow (its names do not collide).
 */
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login, upstreamChat } from './env';

test.use({ baseURL: gatewayUrl() });

test('channel and member overrides: validated as typed, saved, shown again, applied upstream', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await login(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels', exact: true }).click();
  await page.getByRole('button', { name: 'New channel' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New channel' });
  await dialog.getByLabel('Name', { exact: true }).fill('ov-ui');
  await dialog.getByLabel('Base URL').fill(`${upstreamChat()}/v1`);
  await dialog.getByLabel('API keys').fill('sk-upstream-ov-ui-0001');
  await dialog.getByText('Request overrides', { exact: true }).click();

  const body = dialog.getByLabel('Body patch (JSON merge patch)');
  await body.fill('{"max_tokens": ');
  await expect(dialog.getByText(/^Not valid JSON/)).toBeVisible();
  await body.fill('{"stream": false}');
  await expect(dialog.getByText('body.stream: cannot be overridden (the gateway streams exactly when the client asked to)')).toBeVisible();
  await body.fill('{"max_tokens": 64, "reasoning_effort": "low", "temperature": null}');
  await expect(dialog.getByText(/cannot be overridden|Not valid JSON/)).toHaveCount(0);

  await dialog.getByRole('button', { name: 'Add header override' }).click();
  await dialog.getByLabel('channel override header 1 name').fill('x-org');
  await dialog.getByLabel('channel override header 1 value').fill('org-ui');
  await dialog.getByRole('button', { name: 'Add header override' }).click();
  await dialog.getByLabel('channel override header 2 name').fill('Authorization');
  await dialog.getByLabel('channel override header 2 value').fill('Bearer other');
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await expect(dialog.getByText('headers.Authorization: cannot be set or removed by an override (the gateway owns it)')).toBeVisible();
  await dialog.getByRole('button', { name: 'Delete channel override header 2' }).click();
  await dialog.getByRole('button', { name: 'Create channel' }).click();
  await expect(dialog).toBeHidden();

  // Shown again, open, on edit.
  await page.getByRole('button', { name: 'Edit ov-ui' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit ov-ui' });
  await expect(edit.getByLabel('Body patch (JSON merge patch)')).toHaveValue(/"max_tokens": 64/);
  await expect(edit.getByLabel('channel override header 1 value')).toHaveValue('org-ui');
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // A group whose member forces its own cap, after the channel's.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups', exact: true }).click();
  await page.getByRole('button', { name: 'New group' }).first().click();
  const g = page.getByRole('dialog', { name: 'New group' });
  await g.getByLabel('Name', { exact: true }).fill('ov-ui-group');
  await g.getByLabel('Channel', { exact: true }).selectOption({ label: 'ov-ui' });
  await g.getByLabel('Upstream model').fill('gpt-4.1-nano');
  await g.getByRole('button', { name: 'Request overrides of member 1' }).click();
  await g.getByLabel('Body patch (JSON merge patch)').fill('{"max_tokens": 32}');
  await g.getByRole('button', { name: 'Add header override' }).click();
  await g.getByLabel('member 1 override header 1 name').fill('x-api-key');
  await g.getByLabel('member 1 override header 1 value').fill('k');
  await g.getByRole('button', { name: 'Create group' }).click();
  await expect(g.getByText('headers.x-api-key: cannot be set or removed by an override (the gateway owns it)')).toBeVisible();
  await g.getByLabel('member 1 override header 1 name').fill('x-member');
  await g.getByRole('button', { name: 'Create group' }).click();
  await expect(g).toBeHidden();

  await page.getByRole('button', { name: 'Edit group ov-ui-group' }).click();
  const ge = page.getByRole('dialog', { name: 'Edit ov-ui-group' });
  await ge.getByRole('button', { name: 'Request overrides of member 1' }).click();
  await expect(ge.getByLabel('Body patch (JSON merge patch)')).toHaveValue(/"max_tokens": 32/);
  await ge.getByRole('button', { name: 'Cancel' }).click();

  // Through the gateway: the upstream sees the channel's patch, then the member's.
  const key = await page.request.post('/api/v1/keys', { data: { name: 'ov-ui-key' } });
  const secret = ((await key.json()) as { key: string }).key;
  const res = await page.request.post('/v1/chat/completions', {
    headers: { authorization: `Bearer ${secret}` },
    data: { model: 'ov-ui-group', temperature: 0.3, messages: [{ role: 'user', content: 'hi' }] },
  });
  expect(res.status()).toBe(200);
  const seen = (await (await fetch(`${upstreamChat().replace('/s/', '/__scenarios/')}/requests`)).json()) as { headers: Record<string, string>; json: any }[];
  const last = seen.filter((r) => r.headers['x-org'] === 'org-ui').at(-1)!;
  expect(last.json.max_tokens).toBe(32);
  expect(last.json.reasoning_effort).toBe('low');
  expect(last.json.temperature).toBeUndefined();
  expect(last.headers['x-member']).toBe('k');
  expect(errors).toEqual([]);
});
