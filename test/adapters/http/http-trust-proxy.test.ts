import { describe, expect, it } from 'vitest';
import { ASTRONAUT, QUESTION, postJson, useTestServer } from './http-test-server.ts';

// One request per user per minute: a user's second request is RATE_LIMITED, so who counts as "one user" shows.
// The adapters share one service (and its rate limiter), so each test uses client addresses of its own.
const server = useTestServer({ GLANCE_USER_REQUESTS_PER_MINUTE: '1' });
const body = { image: ASTRONAUT.toString('base64'), question: QUESTION, options: { maxNewTokens: 3 } };

function ask(url: string, forwardedFor?: string) {
  return postJson(`${url}/v1/ask`, body, forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor });
}

describe('per-user limits behind a reverse proxy', () => {
  it('with GLANCE_HTTP_TRUST_PROXY naming the proxy, limits each X-Forwarded-For client separately', async () => {
    const url = await server().startAdapter({ GLANCE_HTTP_TRUST_PROXY: '127.0.0.1' });
    expect((await ask(url, '198.51.100.7')).status).toBe(200);
    const limited = await ask(url, '198.51.100.7');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    // Another client behind the same proxy is not held back by the first one's limit.
    expect((await ask(url, '198.51.100.8')).status).toBe(200);
    // Through a chain of proxies the client is the address the trusted proxy saw connecting.
    expect((await ask(url, '198.51.100.9, 198.51.100.7')).status).toBe(429);
  });

  it('with a hop count, the client is the entry that many hops back; entries before it do not count', async () => {
    // Two proxies: the one connecting (127.0.0.1) and the one it names last in X-Forwarded-For.
    const url = await server().startAdapter({ GLANCE_HTTP_TRUST_PROXY: '2' });
    expect((await ask(url, '203.0.113.1, 198.51.100.20, 10.0.0.5')).status).toBe(200);
    // The same client with a different forged first entry, through another front proxy: the same user.
    expect((await ask(url, '203.0.113.2, 198.51.100.20, 10.0.0.6')).status).toBe(429);
    expect((await ask(url, '198.51.100.21, 10.0.0.5')).status).toBe(200);
  });

  it('without it (the default), ignores a forged X-Forwarded-For: the connecting address is the user', async () => {
    expect((await ask(server().url, '192.0.2.1')).status).toBe(200);
    const forged = await ask(server().url, '192.0.2.2');
    expect(forged.status).toBe(429);
    expect(forged.body.error.code).toBe('RATE_LIMITED');
  });
});
