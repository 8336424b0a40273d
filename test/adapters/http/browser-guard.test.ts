/**
 * Web pages the user visits cannot use the local server behind their back: another site's cross-origin POST (a form
 * needs no CORS preflight) and DNS rebinding (a foreign Host on a loopback-bound server) are refused with 403
 * REQUEST_REFUSED before any work; the playground's own same-origin requests, clients that send no Origin (curl,
 * SDKs), any Host on a server bound to a non-loopback address, and requests through a trusted reverse proxy (with
 * the proxy's public origin as the server's own) are served.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ASTRONAUT, QUESTION, useTestServer } from './http-test-server.ts';

const server = useTestServer();
const askBody = JSON.stringify({ image: ASTRONAUT.toString('base64'), question: QUESTION, options: { maxNewTokens: 2 } });

/** A raw request (fetch may not set Host), answering status and parsed JSON body. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, method, path, headers: { ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: res.headers['content-type']?.includes('json') ? JSON.parse(text) : text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser guard', () => {
  it("refuses another site's POST before any work, and serves the page's own and non-browser clients'", async () => {
    const { url, service } = server();
    const host = new URL(url).host;
    const missesBefore = service.health().cache.misses;
    const crossSite = await send(url, 'POST', '/v1/ask', { host, origin: 'https://evil.example' }, askBody);
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('REQUEST_REFUSED');
    expect(crossSite.body.error.message).toContain('https://evil.example');
    // The same host on another scheme or port is another origin too.
    expect((await send(url, 'POST', '/v1/ask', { host, origin: `https://${host}` }, askBody)).status).toBe(403);
    expect((await send(url, 'POST', '/v1/ask', { host, origin: 'null' }, askBody)).status).toBe(403);
    expect(service.health().cache.misses).toBe(missesBefore);

    const sameOrigin = await send(url, 'POST', '/v1/ask', { host, origin: url }, askBody);
    expect(sameOrigin.status).toBe(200);
    const noOrigin = await send(url, 'POST', '/v1/ask', { host }, askBody);
    expect(noOrigin.status).toBe(200);
    // Reading is not an action: a GET with a foreign Origin is answered (the browser keeps the answer from that site).
    expect((await send(url, 'GET', '/healthz', { host, origin: 'https://evil.example' })).status).toBe(200);
  });

  it('on a loopback address, answers only loopback host names (DNS rebinding gets 403)', async () => {
    const { url } = server();
    const port = new URL(url).port;
    for (const host of [`evil.example:${port}`, `192.168.1.20:${port}`, 'evil.example']) {
      const answer = await send(url, 'GET', '/healthz', { host });
      expect(answer.status, host).toBe(403);
      expect(answer.body.error.code).toBe('REQUEST_REFUSED');
    }
    const rebound = await send(url, 'POST', '/v1/ask', { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, askBody);
    expect(rebound.status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.1.2.3:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      expect((await send(url, 'GET', '/healthz', { host })).status, host).toBe(200);
    }
  });

  it('on a non-loopback address, answers any host name (the operator decides which names reach it)', async () => {
    const url = await server().startAdapter({ GLANCE_HTTP_HOST: '0.0.0.0' });
    const port = new URL(url).port;
    const loopbackUrl = `http://127.0.0.1:${port}`;
    expect((await send(loopbackUrl, 'GET', '/healthz', { host: `glance.internal:${port}` })).status).toBe(200);
    expect((await send(loopbackUrl, 'POST', '/v1/ask', { host: `glance.internal:${port}`, origin: `http://glance.internal:${port}` }, askBody)).status).toBe(200);
    expect((await send(loopbackUrl, 'POST', '/v1/ask', { host: `glance.internal:${port}`, origin: 'https://evil.example' }, askBody)).status).toBe(403);
  });

  it('behind a trusted reverse proxy, answers the public name and takes the proxy\'s origin as its own', async () => {
    const url = await server().startAdapter({ GLANCE_HTTP_TRUST_PROXY: '127.0.0.1' });
    const proxied = { host: 'glance.example.com', 'x-forwarded-proto': 'https' };
    expect((await send(url, 'GET', '/healthz', proxied)).status).toBe(200);
    // The playground served through the proxy posts with the public origin.
    expect((await send(url, 'POST', '/v1/ask', { ...proxied, origin: 'https://glance.example.com' }, askBody)).status).toBe(200);
    // A proxy that keeps Host for itself and names the public host in X-Forwarded-Host.
    const forwardedHost = { host: new URL(url).host, 'x-forwarded-host': 'glance.example.com', 'x-forwarded-proto': 'https', origin: 'https://glance.example.com' };
    expect((await send(url, 'POST', '/v1/ask', forwardedHost, askBody)).status).toBe(200);
    const crossSite = await send(url, 'POST', '/v1/ask', { ...proxied, origin: 'https://evil.example' }, askBody);
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('REQUEST_REFUSED');
  });
});
