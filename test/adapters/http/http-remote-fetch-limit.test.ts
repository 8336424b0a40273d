// Remote image downloads are bounded before the service admits the request: per client GLANCE_USER_MAX_RUNNING (1 by
// default) at a time (429) and
// MAX_REMOTE_FETCHES over all clients (503 BUSY with Retry-After). The image server holds its answers until told.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REMOTE_FETCHES, RemoteFetchLimiter } from '../../../adapters/http/remote-fetch-limiter.ts';
import { ASTRONAUT, GOLDEN_CAPTION, postJson, useTestServer } from './http-test-server.ts';

const server = useTestServer();
let imageServer: Server;
let imageUrl: string;
let held: ServerResponse[] = [];
let arrivals = 0;
let holding = true;

beforeAll(async () => {
  imageServer = createServer((_request, response) => {
    arrivals++;
    if (holding) held.push(response);
    else response.writeHead(200, { 'content-type': 'image/png' }).end(ASTRONAUT);
  });
  await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/astronaut.png`;
});
afterAll(() => new Promise<void>((resolve) => imageServer.close(() => resolve())));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('remote image download bounds', () => {
  it('counts downloads and clients separately, and frees both on release', () => {
    const limiter = new RemoteFetchLimiter({ maxTotal: 2, maxPerClient: 1 });
    const a = limiter.acquire('a');
    expect(() => limiter.acquire('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    const b = limiter.acquire('b');
    expect(() => limiter.acquire('c')).toThrow(expect.objectContaining({ code: 'BUSY' }));
    a.fetched();
    a.fetched();
    expect(limiter.fetching).toBe(1);
    // The download is over but the request still runs: the client's place is held, a new client may download.
    expect(() => limiter.acquire('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    const c = limiter.acquire('c');
    a.release();
    b.release();
    c.release();
    c.release();
    expect(limiter.fetching).toBe(0);
    limiter.acquire('a').release();
    const two = new RemoteFetchLimiter({ maxTotal: 4, maxPerClient: 2 });
    const first = two.acquire('a');
    two.acquire('a');
    expect(() => two.acquire('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    first.release();
    two.acquire('a');
  });

  it('refuses a second download of one client (429) and one above the global bound (503 BUSY), then serves them all', async () => {
    const url = await server().startAdapter({ GLANCE_ALLOW_REMOTE_IMAGES: 'true', GLANCE_REMOTE_IMAGE_ALLOW_LIST: '127.0.0.0/8', GLANCE_HTTP_TRUST_PROXY: '127.0.0.1' });
    const ask = (client: string) =>
      postJson(`${url}/v1/chat/completions`, { max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: imageUrl } }] }] }, { 'x-forwarded-for': client });

    const first = ask('198.51.100.1');
    await until(() => arrivals === 1);
    const again = await ask('198.51.100.1');
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('RATE_LIMITED');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);

    const others = Array.from({ length: MAX_REMOTE_FETCHES - 1 }, (_, i) => ask(`198.51.100.${i + 2}`));
    await until(() => arrivals === MAX_REMOTE_FETCHES);
    const busy = await ask('198.51.100.99');
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe('BUSY');
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(arrivals).toBe(MAX_REMOTE_FETCHES);

    holding = false;
    for (const response of held) response.writeHead(200, { 'content-type': 'image/png' }).end(ASTRONAUT);
    held = [];
    for (const answer of await Promise.all([first, ...others])) {
      expect(answer.status).toBe(200);
      expect(answer.body.choices[0].message.content).toBe(GOLDEN_CAPTION);
    }
    const later = await ask('198.51.100.99');
    expect(later.status).toBe(200);
    expect((await ask('198.51.100.1')).status).toBe(200);
  });
});
