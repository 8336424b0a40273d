// Choosing an image in the playground: the chosen file's name is shown; a refused file (not an image, larger than the
// server takes, or refused by the server) clears the image before it — its preview, caption, alt text and
// conversation — so nothing on the page describes an image that is not being asked about.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { blankPng } from '../../helpers/test-images.ts';
import { ASTRONAUT, ASTRONAUT_PATH, GOLDEN_ANSWER, GOLDEN_CAPTION, QUESTION, useTestServer } from './http-test-server.ts';
import { LATEST_ANSWER, useBrowser } from './playground-browser.ts';

const server = useTestServer();
const openPage = useBrowser();

/** Opens the page, captions the astronaut and asks about it: there is an image, a caption and a conversation. */
async function withAnsweredImage(): Promise<Page> {
  const page = await openPage(server().url);
  await page.getByLabel('Max new tokens').fill('20');
  await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
  await page.locator('#caption[data-state="done"]').waitFor();
  expect(await page.locator('#file-name').textContent()).toBe(`Chosen: astronaut.png, ${Math.round(ASTRONAUT.length / 1024)} KB`);
  expect(await page.locator('#alt-text').textContent()).toBe(GOLDEN_CAPTION);
  await page.getByLabel('Question', { exact: true }).fill(QUESTION);
  await page.getByRole('button', { name: 'Ask' }).click();
  await page.locator(`${LATEST_ANSWER}[data-state="done"]`).waitFor();
  expect(await page.locator(LATEST_ANSWER).textContent()).toBe(GOLDEN_ANSWER);
  return page;
}

/** Nothing of the earlier image is left; the alert says why the file was refused. */
async function expectCleared(page: Page, fileName: string): Promise<string> {
  expect(await page.locator('#preview').isHidden()).toBe(true);
  expect(await page.getByRole('img').count()).toBe(0);
  expect(await page.locator('#caption').textContent()).not.toContain(GOLDEN_CAPTION);
  expect(await page.locator('#alt-text').textContent()).toBe('');
  expect(await page.getByRole('button', { name: 'Copy alt text' }).isDisabled()).toBe(true);
  expect(await page.locator('#conversation li').count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Ask' }).isDisabled()).toBe(true);
  expect(await page.locator('#file-name').textContent()).toMatch(new RegExp(`^Refused: ${fileName}, `));
  return (await page.getByRole('alert').textContent()) ?? '';
}

describe('choosing an image', () => {
  it('a file that is not an image clears the image before it', async () => {
    const page = await withAnsweredImage();
    await page.getByLabel('Choose an image').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    expect(await expectCleared(page, 'notes.txt')).toBe('"notes.txt" (text/plain) is not an image file; choose a JPEG, PNG, WebP, GIF or TIFF image.');
    expect(await page.locator('#caption').textContent()).toBe('Choose an image to caption it.');
    await page.close();
  });

  it('a file larger than the server takes is refused before it is sent, and clears the image before it', async () => {
    const page = await withAnsweredImage();
    const posts: string[] = [];
    page.on('request', (request) => { if (request.method() === 'POST') posts.push(request.url()); });
    const limit = server().config.http.bodyLimitBytes;
    await page.getByLabel('Choose an image').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(limit + 1) });
    expect(await expectCleared(page, 'huge.png')).toBe(`"huge.png" is ${((limit + 1) / 1048576).toFixed(1)} MB; this server takes images up to ${(limit / 1048576).toFixed(1)} MB (GLANCE_HTTP_BODY_LIMIT_MB): choose a smaller image, or save this one smaller.`);
    expect(posts).toEqual([]);
    await page.close();
  });

  it('an image the server refuses (too many pixels) clears the image before it, its own preview too', async () => {
    const page = await withAnsweredImage();
    await page.getByLabel('Choose an image').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: blankPng(2000, 1000) });
    await page.locator('#file-name', { hasText: /^Refused: / }).waitFor();
    expect(await expectCleared(page, 'wide.png')).toContain('[IMAGE_TOO_LARGE]');
    expect(await page.locator('#caption').textContent()).toBe('');
    // A good image afterwards is described as usual.
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    expect(await page.locator('#caption').textContent()).toBe(GOLDEN_CAPTION);
    expect(await page.locator('#preview').isVisible()).toBe(true);
    await page.close();
  });
});
