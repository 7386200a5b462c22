/**
 * Health at a glance (issue 15 item 3): a group's status badge, each member's state (a 429-ing member
 * is "rate limited", never green), its success rate and latency, its last error in plain words with
 * the upstream's own words behind "details" (credentials redacted), and the channels page's traffic
 * column. Runs last: it adds channels and groups the other specs do not expect. Screenshots at 1280
 * and 375 px go to screenshots/health-*.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { collectConsoleErrors, gatewayUrl, login, upstreamChat } from './env';
import { root } from './harness';

test.use({ baseURL: gatewayUrl() });

const SHOTS = join(root, 'screenshots');
/** The refused channel's key, which its upstream echoes back: it must never reach the page. */
const REFUSED_KEY = 'sk-health-refused-0123456789abcdef';

/** Registers a scenario with the fake upstream (the one global-setup started); returns its base URL. */
async function scenario(s: object): Promise<string> {
  const res = await fetch(`${new URL(upstreamChat()).origin}/__scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { baseUrl: string }).baseUrl;
}

async function channel(page: Page, name: string, baseUrl: string, key: string): Promise<number> {
  const res = await page.request.post('/api/v1/channels', { data: { name, type: 'openai-chat', baseUrl: `${baseUrl}/v1`, keys: [key], models: ['gpt-4.1-nano'] } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

test('groups show status, member states, numbers and plain errors; channels show traffic health', async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors = collectConsoleErrors(page);
  await login(page);

  const limited = await scenario({ status: 429, headers: { 'retry-after': '300' }, body: { error: { message: 'Rate limit reached for requests', type: 'requests' } } });
  const refused = await scenario({ status: 401, body: { error: { message: `Incorrect API key provided: ${REFUSED_KEY}.`, type: 'invalid_request_error' } } });
  const limitedCh = await channel(page, 'health-limited', limited, 'sk-health-limited-0001');
  const refusedCh = await channel(page, 'health-refused', refused, REFUSED_KEY);
  const goodCh = await channel(page, 'health-good', upstreamChat(), 'sk-health-good-0001');
  // Failover in this order: the first request meets the 429 and the 401, every request ends on the good member.
  const mixed = await page.request.post('/api/v1/groups', {
    data: { name: 'ui-health', mode: 'failover', members: [limitedCh, refusedCh, goodCh].map((channelId, priority) => ({ channelId, upstreamModel: 'gpt-4.1-nano', priority })) },
  });
  expect(mixed.status()).toBe(201);
  expect((await page.request.post('/api/v1/groups', { data: { name: 'ui-health-down', members: [{ channelId: refusedCh, upstreamModel: 'gpt-4.1-nano' }] } })).status()).toBe(201);
  const key = ((await (await page.request.post('/api/v1/keys', { data: { name: 'health-ui-key' } })).json()) as { key: string }).key;

  const chat = (model: string, stream: boolean) =>
    fetch(`${gatewayUrl()}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  for (let i = 0; i < 4; i++) expect((await chat('ui-health', i % 2 === 0)).status).toBe(200);
  expect((await chat('ui-health-down', false)).status).toBe(502);

  await page.goto('/groups');
  const group = page.getByRole('region', { name: 'ui-health', exact: true });
  await expect(group.getByTestId('group-status')).toHaveText('degraded');
  const row = (name: string) => group.getByTestId('member-row').filter({ hasText: name });
  await expect(row('health-good').getByTestId('member-health')).toHaveText('healthy');
  await expect(row('health-good').getByTestId('member-success')).toContainText('100%');
  await expect(row('health-good').getByTestId('member-error')).toHaveCount(0);
  // A 429-ing member is not green: its own state, the cause in plain words.
  await expect(row('health-limited').getByTestId('member-health')).toHaveText('rate limited');
  await expect(row('health-limited').getByTestId('member-health')).not.toHaveClass(/badge-green/);
  await expect(row('health-limited').getByTestId('member-error')).toHaveText('upstream returned 429: rate limited');
  await expect(row('health-refused').getByTestId('member-health')).toHaveText('down');
  await expect(row('health-refused').getByTestId('member-error')).toHaveText('upstream returned 401: invalid key');
  // Breaker terms are in the tooltip, not the label.
  await expect(row('health-refused').getByTestId('member-health')).toHaveAttribute('title', /Circuit breaker: closed/);
  // The raw answer is behind "details", not on the page at first, and the echoed key is redacted.
  const raw = row('health-refused').locator('pre');
  await expect(raw).toBeHidden();
  await row('health-refused').getByText('details').click();
  await expect(raw).toBeVisible();
  await expect(raw).toContainText('Incorrect API key provided');
  await expect(page.locator('body')).not.toContainText(REFUSED_KEY);
  await expect(page.getByRole('region', { name: 'ui-health-down', exact: true }).getByTestId('group-status')).toHaveText('down');

  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width < 500 ? 812 : 900 });
    await page.screenshot({ path: join(SHOTS, `health-groups-${width}.png`), fullPage: true });
  }
  // On a phone (the last width above) a member is a compact card: channel, model, health and one
  // traffic line (priority, weight, success, latency); the last error only when there is one.
  const good = row('health-good');
  await expect(good.getByTestId('member-phone-summary')).toBeVisible();
  await expect(good.getByTestId('member-phone-summary')).toContainText(/p\d+ · w\d+ · 100% of \d+/);
  await expect(good.getByTestId('member-success')).toBeHidden();
  const shown = (r: ReturnType<typeof row>) => r.locator('td').evaluateAll((tds) => tds.filter((td) => td.getBoundingClientRect().height > 0).length);
  expect(await shown(good)).toBe(4);
  expect(await shown(row('health-refused'))).toBe(5);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/channels');
  const traffic = (name: string) => page.getByRole('row').filter({ hasText: name }).getByTestId('channel-traffic');
  // Traffic health first, the model sync state under it.
  await expect(page.getByRole('row').filter({ hasText: 'health-good' }).getByTestId('channel-sync')).toHaveText('models never synced');
  await expect(traffic('health-good')).toContainText('healthy');
  await expect(traffic('health-good')).toContainText('100%');
  await expect(traffic('health-limited')).toContainText('rate limited');
  await expect(traffic('health-refused')).toContainText('down');
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width < 500 ? 812 : 900 });
    await page.screenshot({ path: join(SHOTS, `health-channels-${width}.png`), fullPage: true });
  }
  expect(errors).toEqual([]);
});
