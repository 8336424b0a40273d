// The playground says every failure in words (an alert next to what failed, in view; never a silent failure or a raw
// JSON dump): a server gone
// mid-stream or unreachable, an answer that is not the API's, a refused image (Ask then stays off: asking would send
// the same image), a "Max new tokens" the page cannot send, an empty question.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTRONAUT_PATH, useTestServer } from './http-test-server.ts';
import { useBrowser } from './playground-browser.ts';

const server = useTestServer();
const openPage = useBrowser();

/**
 * A stand-in server that serves the real playground (fetched from the test server) and answers POST /v1/caption as a
 * failing server would: 'cut' starts the event stream, sends one token and drops the connection (the process died
 * mid-stream); 'proxy' answers 502 with an HTML page (a reverse proxy whose glance is down); 'closing' answers 503
 * with fastify's own body, as the server does on a kept-alive connection while it shuts down.
 */
let failing: { url: string; mode: 'cut' | 'proxy' | 'closing'; server: Server } | undefined;

beforeAll(async () => {
  const stand = createServer(async (request, response) => {
    if (request.method === 'GET') {
      const upstream = await fetch(`${server().url}${request.url}`);
      response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
      response.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    request.resume();
    if (failing!.mode === 'closing') {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end('{"error":"Service Unavailable","message":"Service Unavailable","statusCode":503}');
      return;
    }
    if (failing!.mode === 'proxy') {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('event: token\ndata: {"text":"a photo"}\n\n', () => setTimeout(() => response.socket?.destroy(), 100));
  });
  await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
  failing = { url: `http://127.0.0.1:${(stand.address() as AddressInfo).port}`, mode: 'cut', server: stand };
});

afterAll(async () => {
  await new Promise((resolve) => failing?.server.close(resolve));
});

async function alertText(page: Page): Promise<string> {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  return (await alert.textContent()) ?? '';
}

describe('the playground shows failures in words', () => {
  it('a server that stops mid-stream: the text so far stays, the alert says the connection was lost', async () => {
    failing!.mode = 'cut';
    const page = await openPage(failing!.url);
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="error"]').waitFor();
    expect(await page.locator('#caption').textContent()).toBe('a photo');
    expect(await alertText(page)).toMatch(/^The connection to the glance server was lost before the answer was finished .*Check that glance is still running/);
    await page.close();
  });

  it('a server that cannot be reached', async () => {
    const page = await openPage(server().url);
    await page.route('**/v1/caption', (route) => route.abort('connectionrefused'));
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="error"]').waitFor();
    expect(await alertText(page)).toMatch(/^Could not reach the glance server: it may have stopped\. Check that glance is still running/);
    await page.close();
  });

  it('an answer that is not the API\'s (a proxy\'s 502 page) is named by its status, not dumped', async () => {
    failing!.mode = 'proxy';
    const page = await openPage(failing!.url);
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="error"]').waitFor();
    expect(await alertText(page)).toBe('The server answered HTTP 502 Bad Gateway without saying why; try again, and if it persists look at the glance server\'s log.');
    await page.close();
  });

  it('a server shutting down (503 without the API\'s error) is said to be not taking requests', async () => {
    failing!.mode = 'closing';
    const page = await openPage(failing!.url);
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="error"]').waitFor();
    expect(await alertText(page)).toBe('The glance server is not taking requests (HTTP 503 Service Unavailable): it may be shutting down or restarting. Try again in a moment; if it persists, check that glance is running.');
    await page.close();
  });

  it('a refused image keeps Ask off and says to choose another image', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Choose an image').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await page.locator('#caption[data-state="error"]').waitFor();
    expect(await alertText(page)).toContain('[IMAGE_UNSUPPORTED]');
    expect(await page.getByRole('button', { name: 'Ask' }).isDisabled()).toBe(true);
    expect(await page.locator('#ask-help').textContent()).toBe('This image was refused (see the message under the caption): choose another image to ask about.');
    await page.close();
  });

  it('on a phone-sized screen the alert shows next to what failed, in view', async () => {
    const page = await openPage(server().url);
    await page.setViewportSize({ width: 320, height: 640 });
    await page.getByLabel('Choose an image').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await page.locator('#caption[data-state="error"]').waitFor();
    const inView = `(() => {
      const box = document.getElementById('error').getBoundingClientRect();
      return [document.getElementById('error').previousElementSibling.id, box.top >= 0 && box.bottom <= window.innerHeight + 1];
    })()`;
    expect(await page.evaluate(inView)).toEqual(['caption', true]);

    await page.getByLabel('Max new tokens').fill('5');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    await page.getByLabel('Question', { exact: true }).fill('   ');
    await page.getByLabel('Question', { exact: true }).press('Enter');
    expect(await alertText(page)).toBe('Type a question first (it is empty).');
    expect(await page.evaluate(inView)).toEqual(['ask-form', true]);
    await page.close();
  });

  it('a file that is not an image is named, with the kinds to choose', async () => {
    const page = await openPage(server().url);
    await page.getByLabel('Choose an image').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    expect(await alertText(page)).toBe('"notes.txt" (text/plain) is not an image file; choose a JPEG, PNG, WebP, GIF or TIFF image.');
    expect(await page.locator('#caption').getAttribute('data-state')).toBe('idle');
    await page.close();
  });

  it('a "Max new tokens" that is not a whole number within the server\'s limit is refused in words, and nothing is sent', async () => {
    const page = await openPage(server().url);
    const max = server().config.limits.maxNewTokens;
    // The field carries the server's limit (GLANCE_MAX_NEW_TOKENS) and says it.
    expect(await page.getByLabel('Max new tokens').getAttribute('max')).toBe(String(max));
    expect(await page.locator('#max-new-tokens-help').textContent()).toContain(`from 1 to ${max}`);
    const posts: string[] = [];
    page.on('request', (request) => { if (request.method() === 'POST') posts.push(request.url()); });
    for (const value of ['0', '1.5', '-3', String(max + 1)]) {
      await page.getByLabel('Max new tokens').fill(value);
      await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
      await page.locator('#caption[data-state="error"]').waitFor();
      expect(await alertText(page)).toBe(`Max new tokens must be a whole number from 1 to ${max}, this server's limit (it is "${value}"); correct it, or empty it for the server's default, and try again.`);
    }
    expect(posts).toEqual([]);
    // Empty: the server's default length.
    await page.getByLabel('Max new tokens').fill('');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    expect(await page.getByRole('alert').isHidden()).toBe(true);
    expect(posts).toHaveLength(1);
    await page.close();
  });

  it('asking with no image, or an empty question, says what to do', async () => {
    const page = await openPage(server().url);
    const question = page.getByLabel('Question', { exact: true });
    await question.fill('what is it?');
    await question.press('Enter');
    expect(await page.locator('#ask-help').textContent()).toBe('Choose an image first: you can ask about it once its caption is done.');

    await page.getByLabel('Max new tokens').fill('5');
    await page.getByLabel('Choose an image').setInputFiles(ASTRONAUT_PATH);
    await page.locator('#caption[data-state="done"]').waitFor();
    expect(await page.locator('#ask-help').textContent()).toBe('Type a question and press Enter or Ask.');
    await question.fill('   ');
    await question.press('Enter');
    expect(await alertText(page)).toBe('Type a question first (it is empty).');
    expect(await page.locator('#conversation li').count()).toBe(0);
    await page.close();
  });
});
