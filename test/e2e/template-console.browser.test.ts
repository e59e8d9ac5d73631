import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../../adapters/local/outbox-message-sender';
import { type Chromium, chromiumMissing, launchChromium } from '../support/chromium';
import { type ConsoleFixture, projectRoot, startConsoleFixture, tsx } from '../support/console-fixture';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The template console as an operator uses it: `npm start`, `npm run console`, the printed address
 * opened in a real browser (Debian's Chromium, driven by Playwright), then `npm run send`.
 */
const run = promisify(execFile);
const missing = chromiumMissing();
if (missing) process.stderr.write(`${missing}\n`);

let fixture: ConsoleFixture;
let browser: Chromium;
let page: Page;

describe.skipIf(missing !== undefined)('template console in Chromium', () => {
  beforeAll(async () => {
    [fixture, browser] = await Promise.all([startConsoleFixture(), launchChromium()]);
    page = await browser.context.newPage();
    page.setDefaultTimeout(8_000);
  }, 40_000);

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it('edits a template with live preview and lint, saves it, and npm run send serves it', async () => {
    await page.goto(fixture.loginUrl);
    // The token was swapped for a cookie and left the address bar.
    expect(page.url()).toBe(`${fixture.origin}/`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Template coverage');

    // A locale nobody wrote for becomes a row, resolved as a request for it would be.
    await page.getByLabel('Find or check a locale').fill('EN_us');
    await page.getByLabel('Find or check a locale').press('Enter');
    const cell = page.getByRole('link', {
      name: /^en-US SMS verification: served the DynamoDB template en\/verification/,
    });
    await cell.click();
    await page.waitForURL(/\/edit\?locale=en&channel=sms&purpose=verification/);

    const body = page.getByLabel('Message');
    const segments = page.locator('#sms-segments');
    await expect.poll(() => segments.textContent()).toBe('1');

    // Longer than one GSM-7 segment: the preview follows the typing.
    await body.fill(
      `Your {{brand}} sign-in code is {{code}}. ${'It expires soon, so please use it right away. '.repeat(3)}`,
    );
    await expect.poll(() => segments.textContent()).toBe('2');
    await expect.poll(() => page.locator('#sms-encoding').textContent()).toBe('GSM-7');

    // One curly apostrophe switches the whole message to UCS-2, and is named.
    await body.fill('Your {{brand}} code is {{code}}. Don’t share it.');
    await expect.poll(() => page.locator('#sms-encoding').textContent()).toBe('UCS-2');
    await expect.poll(() => page.locator('.ucs2').textContent()).toContain('U+2019');
    await expect.poll(() => page.locator('#sms-text mark').textContent()).toBe('’');

    // No {{code}}: both the save rules and lint say so, next to the field.
    await body.fill('Welcome to {{brand}}, there is nothing to type.');
    await expect
      .poll(() => page.locator('#save-problems').textContent())
      .toContain('no {{code}} placeholder');
    await expect
      .poll(() => page.locator('#lint-problems').textContent())
      .toContain('no {{code}} placeholder');
    expect(await body.getAttribute('aria-invalid')).toBe('true');

    // Template text is text, never markup, in the preview.
    await body.fill('<img src=x onerror="document.title=1">{{code}}');
    await expect.poll(() => page.locator('#sms-text').textContent()).toContain('<img src=x');
    expect(await page.locator('#sms-text img').count()).toBe(0);

    // The catalogue's expiry phrases come along with the template, so the body says {{expiry}}.
    await body.fill('Acme console test: your code is {{code}}. Valid {{expiry}}.');
    await expect.poll(() => page.locator('#save-ok').count()).toBe(1);
    await page.getByRole('button', { name: 'Review changes…' }).click();
    await page.waitForLoadState();
    if (process.env.DEBUG_SHOTS)
      await page.screenshot({ path: '/tmp/h5-shots/review-debug.png', fullPage: true });
    await expect.poll(() => page.locator('.diff ins').first().textContent()).toContain('console');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Saved version 2');

    const code = guardSecret('73915');
    const { stdout } = await run(
      tsx,
      [
        'app/cli/send.ts',
        '--url',
        fixture.stack.baseUrl,
        '--locale',
        'en-US',
        '--purpose',
        'verification',
        '--code',
        code,
      ],
      { cwd: projectRoot, env: { ...process.env, DATA_DIR: fixture.dataDir } },
    );
    expect(stdout).toMatch(/HTTP 200/);
    const outbox = (await readFile(join(fixture.dataDir, 'outbox.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as OutboxRecord);
    expect(outbox.at(-1)).toMatchObject({
      channel: 'sms',
      locale: 'en',
      templateSource: 'dynamodb',
      body: `Acme console test: your code is ${code}. Valid 5 minutes.`,
    });
  }, 30_000);

  it('is keyboard-usable, labels every control and shows Arabic right to left', async () => {
    await page.goto(`${fixture.origin}/edit?locale=ar&channel=voice&purpose=generic`);
    await page.keyboard.press('Tab');
    // Strings, not functions: they run in the page, and this project's types have no DOM.
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // Past the skip link, focus lands in the content, not back in the header.
    expect(await page.evaluate("document.activeElement?.closest('main') !== null")).toBe(true);

    const unlabelled =
      await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
      .map((el) => el.outerHTML)`);
    expect(unlabelled).toEqual([]);

    const message = page.getByLabel('Message');
    expect(await message.getAttribute('dir')).toBe('rtl');
    expect(await message.getAttribute('lang')).toBe('ar');
    expect(await page.locator('#voice-words').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('#voice-id').textContent()).toContain('ZEINA');
    // The spelled sample code reads left to right inside the Arabic sentence.
    expect(await page.locator('#voice-words bdi[dir=ltr]').first().textContent()).toMatch(/^1.*2.*3/);
    expect(await page.locator('#plural-forms').textContent()).toMatch(/zero.*one.*two.*few.*many.*other/s);
  });
});
