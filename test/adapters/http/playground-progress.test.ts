// The playground shows a request's progress in words and time: its stage as the server reports it (queued / reading
// the image / writing) and the seconds since it was sent, updated live, then how long it took. The server is a
// stand-in that sends each stage on cue and the page runs on Playwright's fake clock, so time moves only when the test
// says so.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ASTRONAUT_PATH } from './http-test-server.ts';
import { useBrowser } from './playground-browser.ts';
import { useStandIn } from './playground-stand-in.ts';

const standIn = useStandIn();
const openPage = useBrowser();

const RESULT = { cacheHit: false, prefixCacheHit: false, finishReason: 'length', batchSize: 1, timingsMs: { queue: 1, preprocess: 1, vision: 1, prefill: 1, decode: 1, total: 5 } };

/** The progress line under `output` ('caption' or 'answer') as the user sees it (the "·" between is the style's). */
async function progress(page: Page, output: 'caption' | 'answer'): Promise<string> {
  const line = page.locator(`#${output}-progress`);
  const [stage, elapsed] = [await line.locator('.stage').textContent(), await line.locator('.elapsed').textContent()];
  return elapsed ? `${stage} · ${elapsed}` : stage ?? '';
}

/** Opens the page on a paused fake clock. */
function openOnFakeClock(): Promise<Page> {
  return openPage(standIn().url, {
    beforeLoad: async (page) => {
      await page.clock.install({ time: new Date('2026-01-01T00:00:00Z') });
      await page.clock.pauseAt(new Date('2026-01-01T00:00:01Z'));
    },
  });
}

describe('the playground shows progress in words and time', () => {
  it('a caption: queued, reading the image, writing, each with the elapsed seconds, then how long it took', async () => {
    const page = await openOnFakeClock();
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    const request = await standIn().nextRequest();
    expect(request.path).toBe('/v1/caption');
    expect(request.body).toMatch(/name="progress"\r\n\r\ntrue\r\n/); // the page asks for the stage events
    await page.locator('#caption-progress[data-stage="queued"]').waitFor();
    expect(await progress(page, 'caption')).toBe('Queued (waiting for the model) · 0 s');

    request.event('stage', { stage: 'queued' });
    await page.clock.runFor(2000);
    expect(await progress(page, 'caption')).toBe('Queued (waiting for the model) · 2 s');
    expect(await page.getByRole('status').first().textContent()).toBe('Queued (waiting for the model)');

    request.event('stage', { stage: 'reading-image' });
    await page.locator('#caption-progress[data-stage="reading-image"]').waitFor();
    await page.clock.runFor(1500);
    expect(await progress(page, 'caption')).toBe('Reading the image · 3 s');

    request.event('stage', { stage: 'writing' });
    await page.locator('#caption-progress[data-stage="writing"]').waitFor();
    request.event('token', { text: 'a photo' });
    await page.locator('#caption', { hasText: 'a photo' }).waitFor();
    await page.clock.runFor(1000);
    expect(await progress(page, 'caption')).toBe('Writing · 4 s');

    request.event('done', { ...RESULT, text: 'a photo of a rocket' });
    request.end();
    await page.locator('#caption[data-state="done"]').waitFor();
    expect(await progress(page, 'caption')).toBe('Done · in 4.5 s');
    // The clock stopped with the request.
    await page.clock.runFor(5000);
    expect(await progress(page, 'caption')).toBe('Done · in 4.5 s');
    await page.close();
  });

  it('a server that sends no stages: queued until the first token, then writing; an unknown stage is left out', async () => {
    const page = await openOnFakeClock();
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    const request = await standIn().nextRequest();
    request.event('stage', { stage: 'thinking-hard' });
    await page.clock.runFor(1000);
    expect(await progress(page, 'caption')).toBe('Queued (waiting for the model) · 1 s');
    request.event('token', { text: 'a' });
    await page.locator('#caption-progress[data-stage="writing"]').waitFor();
    request.event('done', { ...RESULT, text: 'a' });
    request.end();
    await page.locator('#caption[data-state="done"]').waitFor();

    // An answer has its own line, under the conversation; a failure clears it and says why in the alert.
    await page.getByLabel('Question', { exact: true }).fill('what is it?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const ask = await standIn().nextRequest();
    expect(ask.path).toBe('/v1/ask');
    ask.event('stage', { stage: 'writing' });
    await page.locator('#answer-progress[data-stage="writing"]').waitFor();
    expect(await progress(page, 'caption')).toBe('Done · in 1.0 s');
    ask.event('error', { error: { code: 'DEADLINE_EXCEEDED', message: 'the answer took too long' } });
    ask.end();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('the answer took too long [DEADLINE_EXCEEDED]');
    expect(await progress(page, 'answer')).toBe('');
    await page.close();
  });
});
