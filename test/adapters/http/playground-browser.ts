/**
 * Debian's Chromium driven through playwright-core for the playground tests: one headless browser per test file
 * (beforeAll/afterAll hooks), and the page opened on a server's playground.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';

/** beforeAll/afterAll hooks: the browser; the getter opens a new page on `url`'s playground. */
export function useBrowser(): (url: string) => Promise<Page> {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does) to run the browser tests`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return async (url) => {
    if (!browser) throw new Error('the browser starts in beforeAll');
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    return page;
  };
}
