// The playground in a real headless Chromium (playwright-core + Debian's chromium): upload a fixture photo, the
// streamed caption equals transformers' golden caption; a follow-up question is answered and shows a cache hit.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ASTRONAUT_PATH, COLOR_QUESTION, GOLDEN_ANSWER, GOLDEN_CAPTION, GOLDEN_COLOR_ANSWER, QUESTION, useTestServer } from './http-test-server.ts';
import { LATEST_ANSWER, useBrowser } from './playground-browser.ts';

// Long captions (2000 tokens) keep a stream running while a test acts; the page's field allows up to the server's limit.
const server = useTestServer({ GLANCE_MAX_NEW_TOKENS: '2000' });
const openPage = useBrowser();

describe('the playground page', () => {
  it('captions an uploaded image, then answers a follow-up from the embedding cache', async () => {
    const page = await openPage(server().url);
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
    const answer = page.locator(`${LATEST_ANSWER}[data-state="done"]`);
    await answer.waitFor();
    expect(await answer.textContent()).toBe(GOLDEN_ANSWER);
    expect(await page.locator('#cache-status').textContent()).toBe('cache hit (image prefix kept: only the question was prefilled)');
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(await page.locator('#caption-progress').getAttribute('data-stage')).toBe('done');
    expect(await page.locator('#answer-progress').getAttribute('data-stage')).toBe('done');
    await page.close();
  });

  it('questions and answers read as a conversation, in order, each answer shown once', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Max new tokens').fill('20');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    for (const question of [QUESTION, COLOR_QUESTION]) {
      await page.getByLabel('Question', { exact: true }).fill(question);
      await page.getByLabel('Question', { exact: true }).press('Enter');
      await page.locator(`#conversation li:nth-child(${question === QUESTION ? 2 : 4}) .output[data-state="done"]`).waitFor();
      expect(await page.getByLabel('Question', { exact: true }).inputValue()).toBe(''); // ready for the next question
    }
    const list = page.getByRole('list', { name: 'Questions and answers' });
    const turns = await list.getByRole('listitem').allTextContents();
    expect(turns).toEqual([`You: ${QUESTION}`, `glance: ${GOLDEN_ANSWER}`, `You: ${COLOR_QUESTION}`, `glance: ${GOLDEN_COLOR_ANSWER}`]);
    const text = (await page.evaluate('document.body.innerText')) as string;
    for (const answer of [GOLDEN_ANSWER, GOLDEN_COLOR_ANSWER]) expect(text.split(answer)).toHaveLength(2);
    await page.close();
  });

  /**
   * Opens the page and starts a 2000-token caption (the tiny model's greedy caption does not stop early), returning
   * once its first tokens are shown: it streams for seconds, far longer than a test's next steps take. Later requests
   * from the page use 20 tokens (the goldens' length).
   */
  async function streamLongCaption(): Promise<Page> {
    const page = await openPage(server().url);
    await page.getByLabel('Max new tokens').fill('2000');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="running"]:not(:empty)').waitFor();
    await page.getByLabel('Max new tokens').fill('20');
    return page;
  }

  it('a new image cancels the caption still streaming (no "already running" refusal)', async () => {
    const page = await streamLongCaption();
    await page.getByLabel('Choose an image').setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: readFileSync(ASTRONAUT_PATH) });
    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    expect(await caption.textContent()).toBe(GOLDEN_CAPTION);
    expect(await page.locator('#error').isHidden()).toBe(true);
    await page.close();
  });

  it('shows a coded error for a file that is not an image', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Choose an image').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await page.locator('#caption[data-state="error"]').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('IMAGE_UNSUPPORTED');
    await page.close();
  });

  // In-page scripts are strings: the test's TypeScript has no DOM types. The file is built from the fixture's bytes.
  const fixtureFile = (base64: string) =>
    `new File([Uint8Array.from(atob('${base64}'), (c) => c.charCodeAt(0))], 'astronaut.png', { type: 'image/png' })`;

  /**
   * Opens the page (20 new tokens), runs `dispatch(data)` — an in-page statement handing the fixture photo, in a
   * DataTransfer named by `data`, to the page as an event — and expects the golden caption.
   */
  async function expectGoldenCaptionAfter(dispatch: (data: string) => string): Promise<void> {
    const page = await openPage(server().url);
    await page.getByLabel('Max new tokens').fill('20');
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(${fixtureFile(readFileSync(ASTRONAUT_PATH).toString('base64'))});
      ${dispatch('data')};
    })()`);
    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    expect(await caption.textContent()).toBe(GOLDEN_CAPTION);
    expect(await page.locator('#error').isHidden()).toBe(true);
    await page.close();
  }

  it('captions an image dropped on the drop zone', async () => {
    await expectGoldenCaptionAfter((data) => `document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: ${data}, bubbles: true, cancelable: true }))`);
  });

  it('captions an image pasted into the page', async () => {
    await expectGoldenCaptionAfter((data) => `document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: ${data}, bubbles: true, cancelable: true }))`);
  });

  it('limits the question box to the configured question length', async () => {
    const page = await openPage(server().url);
    expect(await page.getByLabel('Question', { exact: true }).getAttribute('maxlength')).toBe(String(server().config.limits.maxQuestionChars));
    await page.close();
  });

  it('a question sent while the caption streams does not cut the caption off: Ask waits for the caption', async () => {
    const page = await streamLongCaption();
    const ask = page.getByRole('button', { name: 'Ask' });
    await page.getByLabel('Question', { exact: true }).fill(QUESTION);
    expect(await ask.isDisabled()).toBe(true);
    await page.getByLabel('Question', { exact: true }).press('Enter');
    // The form's own submit handler must refuse too (a disabled button is not the only way to submit a form); the
    // event is dispatched directly, since a click cannot reach a disabled button whose place moves as text streams.
    await page.locator('#ask-form').evaluate((form) => form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })));
    expect(await page.locator('#caption').getAttribute('data-state')).toBe('running');
    const caption = page.locator('#caption[data-state="done"]');
    await caption.waitFor();
    // Greedy decoding: the first 20 of the 2000 tokens are the golden 20-token caption.
    expect((await caption.textContent())!.startsWith(GOLDEN_CAPTION)).toBe(true);
    expect(await page.locator('#conversation li').count()).toBe(0);
    expect(await page.locator('#error').isHidden()).toBe(true);
    await ask.click();
    const answer = page.locator(`${LATEST_ANSWER}[data-state="done"]`);
    await answer.waitFor();
    expect(await answer.textContent()).toBe(GOLDEN_ANSWER);
    await page.close();
  });
});
