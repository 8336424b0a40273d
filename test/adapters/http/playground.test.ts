// The playground in a real headless Chromium (playwright-core + Debian's chromium): upload a fixture photo, the
// streamed caption equals transformers' golden caption; a follow-up question is answered and shows a cache hit.
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTRONAUT_PATH, GOLDEN_ANSWER, GOLDEN_CAPTION, QUESTION, useTestServer } from './http-test-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const server = useTestServer();
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does) to run the browser test`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('the playground page', () => {
  it('captions an uploaded image, then answers a follow-up from the embedding cache', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server().url}/`);
    await expect(page.locator('#max-new-tokens').inputValue()).resolves.toBe('30');
    await page.getByLabel('Max new tokens').fill('20');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);

    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    expect(await caption.textContent()).toBe(GOLDEN_CAPTION);
    expect(await page.locator('#cache-status').textContent()).toBe('cache miss');
    expect(await page.locator('#timings tbody tr').count()).toBe(6);
    expect(await page.locator('#preview').getAttribute('alt')).toBe(GOLDEN_CAPTION);

    await page.getByLabel('Question', { exact: true }).fill(QUESTION);
    await page.getByRole('button', { name: 'Ask' }).click();
    const answer = page.locator('#answer[data-state="done"]');
    await answer.waitFor();
    expect(await answer.textContent()).toBe(GOLDEN_ANSWER);
    expect(await page.locator('#cache-status').textContent()).toBe('cache hit (image prefix kept: only the question was prefilled)');
    expect(await page.locator('#error').isHidden()).toBe(true);
    await page.close();
  });

  it('a new image cancels the caption still streaming (no "already running" refusal)', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server().url}/`);
    await page.getByLabel('Max new tokens').fill('1500');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="running"]:not(:empty)').waitFor();
    await page.getByLabel('Max new tokens').fill('20');
    await page.getByLabel('Choose an image').setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: readFileSync(ASTRONAUT_PATH) });
    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    expect(await caption.textContent()).toBe(GOLDEN_CAPTION);
    expect(await page.locator('#error').isHidden()).toBe(true);
    await page.close();
  });

  it('shows a coded error for a file that is not an image', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server().url}/`);
    await page.getByLabel('Choose an image').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await page.locator('#caption[data-state="error"]').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('IMAGE_UNSUPPORTED');
    await page.close();
  });
});
