import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES } from '../../helpers/fixtures.ts';
import { ASTRONAUT, GOLDEN_CAPTION, postJson, useTestServer } from './http-test-server.ts';
import { blankPng } from '../../helpers/test-images.ts';

// Body limit 2 MiB, 300 000 pixels, questions up to 100 characters (http-test-server.ts).
const server = useTestServer();
const base64 = ASTRONAUT.toString('base64');

async function expectServing(): Promise<void> {
  const { status, body } = await postJson(`${server().url}/v1/caption`, { image: base64, options: { maxNewTokens: 20 } });
  expect(status).toBe(200);
  expect(body.text).toBe(GOLDEN_CAPTION);
}

async function expectCachedImages(count: number): Promise<void> {
  const health = (await (await fetch(`${server().url}/healthz`)).json()) as any;
  expect(health.cache.entries).toBe(count);
}

describe('bad input on /v1/caption and /v1/ask: coded JSON 4xx, nothing cached, still serving', () => {
  const cases: Array<{ name: string; path: string; body: string; contentType?: string; status: number; code: string }> = [
    { name: 'bad JSON', path: '/v1/caption', body: '{"image": ', status: 400, code: 'INVALID_INPUT' },
    { name: 'a JSON array', path: '/v1/caption', body: '[1,2]', status: 400, code: 'INVALID_INPUT' },
    { name: 'bad base64', path: '/v1/caption', body: JSON.stringify({ image: 'this is not base64!' }), status: 400, code: 'INVALID_INPUT' },
    { name: 'a non-image', path: '/v1/caption', body: JSON.stringify({ image: Buffer.from('just some text, not a picture').toString('base64') }), status: 415, code: 'IMAGE_UNSUPPORTED' },
    { name: 'too many pixels', path: '/v1/caption', body: JSON.stringify({ image: blankPng(1000, 1000).toString('base64') }), status: 413, code: 'IMAGE_TOO_LARGE' },
    { name: 'a body above the limit', path: '/v1/caption', body: JSON.stringify({ image: 'A'.repeat(3 * 1024 * 1024) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'a question above the limit', path: '/v1/ask', body: JSON.stringify({ image: base64, question: 'why '.repeat(30) }), status: 400, code: 'INVALID_INPUT' },
    { name: 'an unknown field', path: '/v1/caption', body: JSON.stringify({ image: base64, question: 'what?' }), status: 400, code: 'INVALID_INPUT' },
    { name: 'no image', path: '/v1/ask', body: JSON.stringify({ question: 'what?' }), status: 400, code: 'NO_IMAGE' },
    { name: 'ask without a question', path: '/v1/ask', body: JSON.stringify({ image: base64 }), status: 400, code: 'INVALID_INPUT' },
    { name: 'a text/plain body', path: '/v1/caption', body: 'image=abc', contentType: 'text/plain', status: 400, code: 'INVALID_INPUT' },
    { name: 'an unsupported content type', path: '/v1/caption', body: '<image/>', contentType: 'application/xml', status: 415, code: 'INVALID_INPUT' },
    { name: 'multipart without a boundary', path: '/v1/caption', body: '', contentType: 'multipart/form-data', status: 400, code: 'INVALID_INPUT' },
    { name: 'a multipart body that is not a form', path: '/v1/ask', body: 'hello world', contentType: 'multipart/form-data; boundary=abc', status: 400, code: 'INVALID_INPUT' },
    { name: 'a form field declared application/json that is not JSON', path: '/v1/caption', body: '--XyZ\r\nContent-Disposition: form-data; name="options"\r\nContent-Type: application/json\r\n\r\n{"maxNewTokens":\r\n--XyZ--\r\n', contentType: 'multipart/form-data; boundary=XyZ', status: 400, code: 'INVALID_INPUT' },
    { name: 'options that are not an object', path: '/v1/caption', body: JSON.stringify({ image: base64, options: [1] }), status: 400, code: 'INVALID_INPUT' },
  ];

  for (const { name, path, body, contentType, status, code } of cases) {
    it(`refuses ${name} with ${status} ${code}`, async () => {
      const response = await fetch(`${server().url}${path}`, { method: 'POST', headers: { 'content-type': contentType ?? 'application/json' }, body });
      expect(response.status).toBe(status);
      const json = (await response.json()) as any;
      expect(json.error.code).toBe(code);
      expect(typeof json.error.message).toBe('string');
    });
  }

  it('refuses a multipart upload above the limit', async () => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(3 * 1024 * 1024)], { type: 'image/png' }), 'big.png');
    const response = await fetch(`${server().url}/v1/caption`, { method: 'POST', body: form });
    expect(response.status).toBe(413);
    const { error } = (await response.json()) as any;
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toContain('the uploaded image is larger than this server accepts (2 MiB)');
  });

  it('names the body limit when a JSON body is above it, and that multipart avoids base64\'s third', async () => {
    const { status, body } = await postJson(`${server().url}/v1/caption`, { image: 'A'.repeat(3 * 1024 * 1024) });
    expect(status).toBe(413);
    expect(body.error.message).toContain('(2 MiB)');
    expect(body.error.message).toContain('multipart/form-data');
    const chat = await postJson(`${server().url}/v1/chat/completions`, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(3 * 1024 * 1024)}` } }] }] });
    expect(chat.status).toBe(413);
    expect(chat.body.error.message).toContain('(2 MiB)');
    expect(chat.body.error.message).not.toContain('multipart'); // the chat route takes JSON only
  });

  it('refuses two image files (-F image=@a -F image=@b) with 400 INVALID_INPUT, not a body-size 413', async () => {
    const form = new FormData();
    form.append('image', new Blob([ASTRONAUT], { type: 'image/png' }), 'a.png');
    form.append('image', new Blob([ASTRONAUT], { type: 'image/png' }), 'b.png');
    const response = await fetch(`${server().url}/v1/caption`, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as any;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('one image per request');
  });

  it('refuses a form with too many fields with 400 INVALID_INPUT', async () => {
    const form = new FormData();
    form.append('image', new Blob([ASTRONAUT], { type: 'image/png' }), 'astronaut.png');
    for (let i = 0; i < 12; i++) form.append(`field${i}`, 'x');
    const response = await fetch(`${server().url}/v1/ask`, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as any;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('too many form fields');
  });

  it('refuses a multipart text field above 64 KiB', async () => {
    const form = new FormData();
    form.append('image', new Blob([ASTRONAUT], { type: 'image/png' }), 'astronaut.png');
    form.append('question', 'x'.repeat(70 * 1024));
    const response = await fetch(`${server().url}/v1/ask`, { method: 'POST', body: form });
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('says that /v1/caption takes no image URL, and where URLs go, instead of calling the URL bad base64', async () => {
    const { status, body } = await postJson(`${server().url}/v1/caption`, { image: 'https://example.com/cat.jpg' });
    expect(status).toBe(400);
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(body.error.message).toContain('does not fetch URLs');
    expect(body.error.message).toContain('/v1/chat/completions');
  });

  it('answers unknown routes with a coded 404', async () => {
    const response = await fetch(`${server().url}/v2/nothing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).error.code).toBe('INVALID_INPUT');
  });

  it('answers a route asked with the wrong method with a coded 405 naming the method it takes', async () => {
    for (const [method, path, allow] of [['GET', '/v1/caption', 'POST'], ['GET', '/v1/chat/completions?x=1', 'POST'], ['POST', '/healthz', 'GET'], ['DELETE', '/v1/ask', 'POST']]) {
      const response = await fetch(`${server().url}${path}`, { method });
      expect(response.status, path).toBe(405);
      expect(response.headers.get('allow'), path).toBe(allow);
      const { error } = (await response.json()) as any;
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain(`takes ${allow}, not ${method}`);
    }
  });

  it('cached nothing for the refused requests and still serves', async () => {
    await expectCachedImages(0);
    await expectServing();
    await expectCachedImages(1);
  });

  // Refused before any work: an image not seen before is not encoded, so the cache keeps its one entry.
  const unseen = readFileSync(join(IMAGES, 'chelsea.png')).toString('base64');
  const optionCases: Array<{ name: string; options: unknown; code: string }> = [
    { name: 'an unknown generation option', options: { maxTokens: 5 }, code: 'GENERATION_UNSUPPORTED_OPTION' },
    { name: 'an invalid generation option', options: { topP: 0.5 }, code: 'GENERATION_INVALID_OPTION' },
  ];
  for (const { name, options, code } of optionCases) {
    it(`refuses ${name} with 400 ${code}`, async () => {
      const response = await postJson(`${server().url}/v1/caption`, { image: unseen, options });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe(code);
      await expectCachedImages(1);
    });
  }
});

describe('bad input on /v1/chat/completions', () => {
  const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${base64}` } };
  const cases: Array<{ name: string; body: unknown; status: number; code: string }> = [
    { name: 'no messages', body: { messages: [] }, status: 400, code: 'INVALID_INPUT' },
    { name: 'no image', body: { messages: [{ role: 'user', content: 'hello' }] }, status: 400, code: 'NO_IMAGE' },
    { name: 'an unsupported field', body: { messages: [{ role: 'user', content: [image] }], frequency_penalty: 1 }, status: 400, code: 'GENERATION_UNSUPPORTED_OPTION' },
    { name: 'n above 1', body: { messages: [{ role: 'user', content: [image] }], n: 2 }, status: 400, code: 'GENERATION_UNSUPPORTED_OPTION' },
    { name: 'a bad data: URL', body: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@' } }] }] }, status: 400, code: 'INVALID_INPUT' },
    { name: 'a remote URL while remote images are off', body: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }, status: 403, code: 'REMOTE_IMAGE_REFUSED' },
  ];
  for (const { name, body, status, code } of cases) {
    it(`refuses ${name} with ${status} ${code}`, async () => {
      const response = await postJson(`${server().url}/v1/chat/completions`, body);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
    });
  }
});

describe('remote image URLs when allowed (SSRF guard)', () => {
  let imageServer: Server;
  let imagePort: number;
  beforeAll(async () => {
    imageServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(ASTRONAUT));
    await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
    imagePort = (imageServer.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => imageServer.close(() => resolve())));

  const ask = (url: string, imageUrl: string) =>
    postJson(`${url}/v1/chat/completions`, { max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl } }] }] });

  it('refuses loopback, private and link-local addresses even when remote images are on', async () => {
    const url = await server().startAdapter({ GLANCE_ALLOW_REMOTE_IMAGES: 'true' });
    for (const imageUrl of [`http://127.0.0.1:${imagePort}/a.png`, `http://localhost:${imagePort}/a.png`, 'http://10.0.0.7/a.png', 'http://169.254.169.254/latest', 'http://[::1]/a.png', `http://[::127.0.0.1]:${imagePort}/a.png`, `http://[::ffff:0:127.0.0.1]:${imagePort}/a.png`, `http://2130706433:${imagePort}/a.png`, `http://0x7f.1:${imagePort}/a.png`, 'http://[fe80::1]/a.png', 'http://[fc00::1]/a.png', 'http://[::ffff:127.0.0.1]/a.png']) {
      const response = await ask(url, imageUrl);
      expect(response.status, imageUrl).toBe(403);
      expect(response.body.error.code, imageUrl).toBe('REMOTE_IMAGE_REFUSED');
    }
  });

  it('fetches from an address the allow-list names', async () => {
    const url = await server().startAdapter({ GLANCE_ALLOW_REMOTE_IMAGES: 'true', GLANCE_REMOTE_IMAGE_ALLOW_LIST: '127.0.0.0/8' });
    const response = await ask(url, `http://127.0.0.1:${imagePort}/a.png`);
    expect(response.status).toBe(200);
    expect(response.body.choices[0].message.content).toBe(GOLDEN_CAPTION);
  });
});
