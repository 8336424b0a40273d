// The playground's input paths beyond the first upload: the same file chosen again, an image dropped anywhere on the
// page, a pasted question longer than the server takes, keyboard-only use, a narrow (phone) viewport, a page load
// with no failed request.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASTRONAUT_PATH, GOLDEN_ANSWER, GOLDEN_CAPTION, QUESTION, useTestServer } from './http-test-server.ts';
import { LATEST_ANSWER, useBrowser } from './playground-browser.ts';

const server = useTestServer();
const openPage = useBrowser();

describe('the playground input', () => {
  it('choosing the same file again captions it again (after an error, to retry)', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Max new tokens').fill('0');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="error"]').waitFor();
    await page.getByLabel('Max new tokens').fill('20');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    expect(await caption.textContent()).toBe(GOLDEN_CAPTION);
    await page.close();
  });

  it('a file the browser has no type for (no extension) is sent, and the server reads it as the image it is', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Max new tokens').fill('20');
    await page.getByLabel('Choose an image').setInputFiles({ name: 'IMG_0042', mimeType: '', buffer: readFileSync(ASTRONAUT_PATH) });
    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    expect(await caption.textContent()).toBe(GOLDEN_CAPTION);
    await page.close();
  });

  it('an image dropped outside the drop zone is captioned, and the browser stays on the page', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Max new tokens').fill('20');
    const base64 = readFileSync(ASTRONAUT_PATH).toString('base64');
    const prevented = await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob('${base64}'), (c) => c.charCodeAt(0))], 'astronaut.png', { type: 'image/png' }));
      const over = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true });
      const drop = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
      const heading = document.querySelector('h1');
      heading.dispatchEvent(over);
      heading.dispatchEvent(drop);
      return [over.defaultPrevented, drop.defaultPrevented];
    })()`);
    expect(prevented).toEqual([true, true]);
    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    expect(await caption.textContent()).toBe(GOLDEN_CAPTION);
    await page.close();
  });

  it('a link dropped on the page (an image dragged from another site) is answered in words, and the page stays', async () => {
    const page = await openPage(server().url);
    const prevented = await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.setData('text/uri-list', 'https://example.com/cat.jpg');
      const drop = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
      document.querySelector('h1').dispatchEvent(drop);
      return drop.defaultPrevented;
    })()`);
    expect(prevented).toBe(true);
    expect(await page.getByRole('alert').textContent()).toBe('That was a link, not an image file: save the image and choose it, or copy the image and paste it here (Ctrl+V / ⌘V).');
    expect(await page.locator('#caption').getAttribute('data-state')).toBe('idle');
    await page.close();
  });

  it('a pasted file that is not an image is named, not ignored', async () => {
    const page = await openPage(server().url);
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['%PDF-1.7'], 'report.pdf', { type: 'application/pdf' }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    })()`);
    expect(await page.getByRole('alert').textContent()).toBe('"report.pdf" (application/pdf) is not an image file; choose a JPEG, PNG, WebP, GIF or TIFF image.');
    await page.close();
  });

  it('a pasted question longer than the server takes is cut to the limit, and the page says so', async () => {
    const page = await openPage(server().url);
    const limit = server().config.limits.maxQuestionChars;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server().url });
    await page.evaluate(`navigator.clipboard.writeText('why '.repeat(${limit}))`);
    await page.getByLabel('Question', { exact: true }).focus();
    await page.keyboard.press('Control+V');
    await page.locator('#ask-help', { hasText: 'The pasted text was cut' }).waitFor();
    expect(await page.locator('#ask-help').textContent()).toBe(`The pasted text was cut to fit ${limit} characters, the longest question this server takes; check the question before asking.`);
    expect(await page.getByLabel('Question', { exact: true }).inputValue()).toBe('why '.repeat(limit).slice(0, limit));
    expect(await page.locator('#question-count').textContent()).toBe(`${limit} / ${limit} characters`);
    await page.close();
  });

  it('text pasted into the question box stays text even when the clipboard also holds an image', async () => {
    const page = await openPage(server().url);
    const posts: string[] = [];
    page.on('request', (request) => { if (request.method() === 'POST') posts.push(request.url()); });
    const ignored = await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'how many cells?');
      data.items.add(new File([new Uint8Array(8)], 'cells.png', { type: 'image/png' }));
      return document.getElementById('question').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    })()`);
    expect(ignored).toBe(true); // the browser's own paste (the text) goes ahead
    expect(await page.locator('#caption').getAttribute('data-state')).toBe('idle');
    expect(posts).toEqual([]);
    await page.close();
  });

  it('counts characters as the server does: an emoji is one, so the box takes as many emoji as letters', async () => {
    const page = await openPage(server().url);
    const limit = server().config.limits.maxQuestionChars;
    const question = page.getByLabel('Question', { exact: true });
    await question.fill('🙂'.repeat(limit + 5));
    expect(await question.inputValue()).toBe('🙂'.repeat(limit));
    expect(await page.locator('#question-count').textContent()).toBe(`${limit} / ${limit} characters`);
    expect(await page.locator('#ask-help').textContent()).toBe(`The text was cut to fit ${limit} characters, the longest question this server takes; check the question before asking.`);
    await question.press('a');
    expect(await question.inputValue()).toBe('🙂'.repeat(limit));
    expect(await page.locator('#ask-help').textContent()).toBe(`That is the longest question this server takes (${limit} characters).`);
    await question.press('Backspace');
    await question.press('a');
    expect(await question.inputValue()).toBe(`${'🙂'.repeat(limit - 1)}a`);
    // The server takes what the box takes.
    await page.getByLabel('Max new tokens').fill('5');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    await question.press('Enter');
    await page.locator(`${LATEST_ANSWER}[data-state="done"]`).waitFor();
    expect(await page.getByRole('alert').isHidden()).toBe(true);
    await page.close();
  });

  it('works from the keyboard alone: tab order, visible focus, Enter asks', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Max new tokens').fill('20');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    await page.locator('h1').click(); // the start of the page's tab order
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(`(() => {
        const focused = document.activeElement, style = getComputedStyle(focused);
        return focused.id + ' ' + style.outlineStyle + ' ' + style.outlineWidth;
      })()`));
    }
    expect(order).toEqual(['image-input solid 3px', 'max-new-tokens solid 3px', 'copy-alt-text solid 3px', 'question solid 3px', 'ask-button solid 3px']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type(QUESTION);
    await page.keyboard.press('Enter');
    const answer = page.locator(`${LATEST_ANSWER}[data-state="done"]`);
    await answer.waitFor();
    expect(await answer.textContent()).toBe(GOLDEN_ANSWER);
    await page.close();
  });

  it('fits a 320 px wide screen, even with an answer of one very long word', async () => {
    const page = await openPage(server().url);
    await page.setViewportSize({ width: 320, height: 640 });
    await page.getByLabel('Max new tokens').fill('20');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    const word = 'x'.repeat(400);
    await page.route('**/v1/ask', (route) => route.fulfill({
      status: 200,
      contentType: 'text/event-stream',
      body: `event: token\ndata: {"text":"${word}"}\n\nevent: done\ndata: ${JSON.stringify({ text: word, cacheHit: true, prefixCacheHit: true, timingsMs: { total: 1 } })}\n\n`,
    }));
    await page.getByLabel('Question', { exact: true }).fill(QUESTION);
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.locator(`${LATEST_ANSWER}[data-state="done"]`).waitFor();
    const widths = await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]');
    expect(widths).toEqual([320, 320]);
    await page.close();
  });

  it('loads with no failed request and no console error (no favicon 404)', async () => {
    const page = await openPage(server().url);
    const failures: string[] = [];
    page.on('console', (message) => { if (message.type() === 'error') failures.push(message.text()); });
    page.on('response', (response) => { if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`); });
    await page.reload();
    await page.waitForLoadState('networkidle');
    expect(failures).toEqual([]);
    await page.close();
  });
});
