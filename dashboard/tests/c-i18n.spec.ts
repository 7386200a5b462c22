/**
 * The dashboard's languages: English for an English browser, 简体中文 and back from the language
 * menu at desktop and phone widths (nothing wider than the screen), the choice kept across a
 * reload, and a Traditional Chinese browser greeted in 繁體中文 before anyone chooses.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectConsoleErrors, gatewayUrl, login } from './env';
import { root } from './harness';

/** Where the screenshots go (gitignored; copies of a few are committed under docs/images/issue-14). */
const SHOTS = join(root, 'screenshots');

test.use({ baseURL: gatewayUrl() });

/** The page's width never passes the window's (polled: charts settle a frame after a resize). */
async function fitsTheScreen(page: Page) {
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

/** The language menu that is on screen (the sidebar's at desktop width, the top bar's on a phone). */
const menu = (page: Page) => page.locator('[data-testid="language"]:visible');

test('switches to 简体中文 and back, at 1280 and 375 px, and remembers the choice', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(menu(page)).toHaveValue('en');

  // Choosing a language reloads the page in it.
  await menu(page).selectOption({ label: '简体中文' });
  await expect(page.getByRole('heading', { name: '概览', level: 1 })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('link', { name: '渠道', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'API 密钥', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^最近 24 小时/, level: 2 })).toBeVisible();
  await expect(page.getByText('最近错误')).toBeVisible();
  await fitsTheScreen(page);
  expect(await page.evaluate(() => localStorage.getItem('oe-locale'))).toBe('zh-CN');

  // Kept across a reload and on other pages.
  await page.reload();
  await expect(page.getByRole('heading', { name: '概览', level: 1 })).toBeVisible();
  await expect(menu(page)).toHaveValue('zh-CN');
  await page.getByLabel('时间范围').selectOption({ label: '今天' });
  await expect(page.getByRole('heading', { name: /^今天 · /, level: 2 })).toBeVisible();

  // A phone: the menu is in the top bar, the drawer's links are translated, nothing overflows.
  await page.setViewportSize({ width: 375, height: 812 });
  await expect(menu(page)).toHaveValue('zh-CN');
  await fitsTheScreen(page);
  await page.getByRole('button', { name: '打开菜单' }).click();
  await expect(page.locator('#nav-drawer').getByRole('link', { name: '分组', exact: true })).toBeVisible();
  await page.getByRole('button', { name: '关闭菜单' }).last().click(); // the drawer's own button (the backdrop is one too)

  // 繁體中文 on the phone, then back to English.
  await menu(page).selectOption({ label: '繁體中文' });
  await expect(page.getByRole('heading', { name: '總覽', level: 1 })).toBeVisible();
  await fitsTheScreen(page);
  await menu(page).selectOption({ label: 'English' });
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect(page.getByRole('link', { name: 'Channels', exact: true })).toBeVisible();
  await fitsTheScreen(page);
  expect(errors).toEqual([]);
});

test('a Traditional Chinese browser gets 繁體中文 on the login page before choosing', async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: gatewayUrl(), locale: 'zh-TW', viewport: { width: 375, height: 812 } });
  const page = await ctx.newPage();
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: '登入 octopus-edge' })).toBeVisible();
  await expect(page.getByLabel('管理員密碼')).toBeVisible();
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page.getByRole('alert')).toHaveText('請輸入管理員密碼。');
  await fitsTheScreen(page);
  await ctx.close();
});

/**
 * English words still in the page's interface: headings, table headers, labels, buttons, legends,
 * terms and placeholders. What the gateway's data names (channels, groups, keys, models, URLs,
 * aliases, patterns: read from the admin API) and a few API terms that are written the same in
 * every language are taken out first.
 */
async function englishLeft(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const names: string[] = [];
    const list = async (path: string) => ((await (await fetch(`/api/v1/${path}`)).json()) as { data: Record<string, unknown>[] }).data;
    for (const c of await list('channels')) names.push(String(c.name), String(c.baseUrl), ...(c.models as string[]));
    for (const g of await list('groups')) {
      names.push(String(g.name), ...(g.aliases as string[]), ...(g.patterns as string[]));
      for (const mem of g.members as { upstreamModel: string }[]) names.push(mem.upstreamModel);
    }
    for (const k of await list('keys')) names.push(String(k.name));
    names.push(Intl.DateTimeFormat().resolvedOptions().timeZone);
    // Longest first, so a name is not cut by a shorter one inside it.
    names.sort((a, b) => b.length - a.length);
    const ALLOWED = /^(API|URL|HTTP|HTTPS|CSV|JSON|SSE|UTC|GMT|TTFT|token|OpenAI|Anthropic|Gemini|Google|Chat|Completions|Responses|Messages|octopus|edge|ping|socks|user|password|regex|gpt|null|MiB)$/i; // i: table headers are upper-cased by CSS
    const texts: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('h1, h2, h3, th, label, legend, button, summary, dt, [placeholder]')) {
      if (el.closest('[aria-hidden="true"]') || el.offsetParent === null) continue;
      // A code field's placeholder is a sample of code (a URL, JSON), not words.
      texts.push(el.innerText, el.classList.contains('font-mono') ? '' : (el.getAttribute('placeholder') ?? ''));
    }
    const left: string[] = [];
    for (let t of texts) {
      for (const n of names) if (n) t = t.split(n).join(' ');
      t = t.replace(/\b[a-z0-9]+:\/\/\S+/g, ' ');
      for (const w of t.match(/[A-Za-z]{3,}/g) ?? []) if (!ALLOWED.test(w)) left.push(`${w} (in “${t.trim().slice(0, 60)}”)`);
    }
    return [...new Set(left)];
  });
}

test('Channels, Groups, Logs and the key holders\' page speak 简体中文 throughout', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page);
  await page.evaluate(() => localStorage.setItem('oe-locale', 'zh-CN'));

  await page.goto('/channels');
  await expect(page.getByRole('heading', { name: '渠道', level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(await englishLeft(page)).toEqual([]);
  await page.getByRole('button', { name: '新建渠道' }).first().click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.getByRole('dialog').getByText('定时检查此渠道').click();
  expect(await englishLeft(page)).toEqual([]);
  await page.getByRole('button', { name: '取消' }).click();

  await page.goto('/groups');
  await expect(page.getByRole('heading', { name: '分组', level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(await englishLeft(page)).toEqual([]);
  await page.getByRole('button', { name: '新建分组' }).first().click();
  await expect(page.getByRole('dialog')).toBeVisible();
  expect(await englishLeft(page)).toEqual([]);
  await page.getByRole('button', { name: '取消' }).click();

  await page.goto('/logs');
  await expect(page.getByRole('heading', { name: '日志', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: '应用' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(await englishLeft(page)).toEqual([]);

  await page.goto('/my');
  await expect(page.getByRole('heading', { name: '你的用量', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: '查看我的用量' }).click();
  await expect(page.getByRole('alert')).toHaveText('请粘贴你的客户端密钥（以 sk-oe- 开头）。');
  expect(await englishLeft(page)).toEqual([]);
  await fitsTheScreen(page);

  // Back to English for the specs after this one (the choice is in this context's storage only).
  await page.evaluate(() => localStorage.removeItem('oe-locale'));
  expect(errors).toEqual([]);
});

test('screenshots of Channels, Groups and Logs in 简体中文 and 繁體中文 at 1280 and 375 px', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  mkdirSync(SHOTS, { recursive: true });
  await login(page);
  const headings: Record<string, Record<string, string>> = {
    'zh-CN': { channels: '渠道', groups: '分组', logs: '日志' },
    'zh-TW': { channels: '通道', groups: '分組', logs: '日誌' },
  };
  for (const locale of ['zh-CN', 'zh-TW'] as const) {
    await page.evaluate((l) => localStorage.setItem('oe-locale', l), locale);
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
      for (const name of ['channels', 'groups', 'logs']) {
        await page.goto(`/${name}`);
        await expect(page.getByRole('heading', { name: headings[locale]![name]!, level: 1 })).toBeVisible();
        await page.waitForLoadState('networkidle');
        await fitsTheScreen(page);
        await page.screenshot({ path: join(SHOTS, `i18n-${name}-${locale}-${width}.png`), fullPage: true });
      }
    }
  }
  await page.evaluate(() => localStorage.removeItem('oe-locale'));
  expect(errors).toEqual([]);
});
