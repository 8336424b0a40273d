/**
 * Debian's Chromium driven through playwright-core for the playground tests: one headless browser per test file
 * (beforeAll/afterAll hooks), and the page opened on a server's playground.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';

/** The output of glance's latest answer in the playground's conversation. */
export const LATEST_ANSWER = '#conversation .turn-glance:last-child .output';

export interface OpenPageOptions {
  /** Runs on the new page before the playground loads (e.g. `page.clock.install()`). */
  beforeLoad?: (page: Page) => Promise<void>;
  /** The browser context's permissions for the page's origin (e.g. clipboard-read). */
  permissions?: string[];
}

/**
 * beforeAll/afterAll hooks: the browser; the getter opens a new page (in a context of its own, closed with the page)
 * on `url`'s playground.
 */
export function useBrowser(): (url: string, options?: OpenPageOptions) => Promise<Page> {
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
  return async (url, options = {}) => {
    if (!browser) throw new Error('the browser starts in beforeAll');
    const page = await browser.newPage();
    if (options.permissions) await page.context().grantPermissions(options.permissions, { origin: url });
    await options.beforeLoad?.(page);
    await page.goto(`${url}/`);
    return page;
  };
}
