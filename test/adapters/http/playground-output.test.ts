// What the playground shows of the model's text: control characters and half-decoded bytes are never drawn as glyphs
// (display-text.js: removed, whitespace runs made one space, trimmed); the caption is the image's alt text, shown
// exactly as a screen reader gets it, with a button that copies it. The server is a stand-in that streams the text
// of transformers' golden caption that has a control character in it (the tiny model's eos_token_id override with
// min_new_tokens 10: "Hearthstone\u0015"), with more control characters and a U+FFFD around it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { ASTRONAUT_PATH } from './http-test-server.ts';
import { LATEST_ANSWER, useBrowser } from './playground-browser.ts';
import { useStandIn } from './playground-stand-in.ts';

const standIn = useStandIn();
const openPage = useBrowser();

const GOLDEN: string = readJson(join(TINY_OPT, 'goldens.json')).images['astronaut.png'].generate.caption_eos_override_min_new_tokens_10.outputs[0].text_stripped;
const RESULT = { cacheHit: false, prefixCacheHit: false, finishReason: 'length', batchSize: 1, timingsMs: { total: 5 } };
/** The golden with a NUL, a bell, DEL, C1 controls (U+0085, U+009F), a U+FFFD, a tab and a line break around it. */
const RAW = `\u0000 ${GOLDEN.slice(0, 10)}\u0007\u007f\t\n${GOLDEN.slice(10)}\uFFFD\u0085 \u009f`;
/** The rule of display-text.js, spelt out: the controls and U+FFFD go, the tab + line break become one space. */
const SHOWN = `${GOLDEN.slice(0, 10)} ${GOLDEN.slice(10)}`.replace('\u0015', '');
/** Characters that must never be drawn (the tab and line feed are left out: innerText uses them for the page's layout). */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\uFFFD]/;

describe('the playground shows the model\'s text', () => {
  it('control characters in a streamed caption are never shown; the alt text view shows the caption as a screen reader gets it, and copies it', async () => {
    expect(GOLDEN).toContain('\u0015'); // the reference itself has one
    const page = await openPage(standIn().url, { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    const request = await standIn().nextRequest();
    expect(await page.getByRole('button', { name: 'Copy alt text' }).isDisabled()).toBe(true);
    request.event('token', { text: RAW.slice(0, 14) });
    await page.locator('#caption:not(:empty)').waitFor();
    expect(await page.locator('#caption').textContent()).not.toMatch(UNPRINTABLE);
    request.event('token', { text: RAW });
    request.event('done', { ...RESULT, text: RAW });
    request.end();
    await page.locator('#caption[data-state="done"]').waitFor();

    expect(await page.locator('#caption').textContent()).toBe(SHOWN);
    expect(await page.locator('#preview').getAttribute('alt')).toBe(SHOWN);
    expect(await page.locator('#alt-text').textContent()).toBe(SHOWN);
    // What the accessibility tree gives a screen reader for the image.
    expect(await page.getByRole('img').getAttribute('alt')).toBe(SHOWN);
    await page.getByRole('button', { name: 'Copy alt text' }).click();
    await page.locator('#copy-status', { hasText: 'Copied.' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(SHOWN);
    await page.close();
  });

  it('an answer made only of control characters says no text was generated; no character is drawn as a glyph anywhere', async () => {
    const page = await openPage(standIn().url);
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    const caption = await standIn().nextRequest();
    caption.event('done', { ...RESULT, text: '\u0000\u0001\uFFFD\u009f' });
    caption.end();
    await page.locator('#caption[data-state="done"]').waitFor();
    expect(await page.locator('#caption').textContent()).toBe('(no text was generated)');
    expect(await page.locator('#alt-text-help').textContent()).toBe('No alt text: the model wrote no printable text for this image.');
    expect(await page.getByRole('button', { name: 'Copy alt text' }).isDisabled()).toBe(true);

    await page.getByLabel('Question', { exact: true }).fill('what is it?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const ask = await standIn().nextRequest();
    ask.event('token', { text: `\u0002${GOLDEN.slice(0, 20)}` });
    ask.event('done', { ...RESULT, text: `\u0002${GOLDEN}\u001b` });
    ask.end();
    await page.locator(`${LATEST_ANSWER}[data-state="done"]`).waitFor();
    expect(await page.locator(LATEST_ANSWER).textContent()).toBe(GOLDEN.replace('\u0015', ''));
    expect(await page.evaluate('document.body.innerText')).not.toMatch(UNPRINTABLE);
    await page.close();
  });
});
