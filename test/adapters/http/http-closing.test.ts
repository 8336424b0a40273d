/**
 * While the HTTP adapter drains, a request that still arrives on an open connection (kept alive or pipelined behind
 * one still streaming) gets the API's coded 503 ABORTED with Retry-After, not fastify's own uncoded body, and the
 * request in progress finishes.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startHttpAdapter } from '../../../adapters/http/http-adapter.ts';
import { ASTRONAUT, testConfig, useTestServer } from './http-test-server.ts';

const server = useTestServer();

describe('HTTP adapter closing', () => {
  it('answers a request that arrives on a streaming connection after closing began with a coded 503', async () => {
    const { service, metrics } = server();
    const adapter = await startHttpAdapter({ service, config: testConfig(), metrics });
    const { hostname, port } = new URL(adapter.url);
    const body = JSON.stringify({ image: ASTRONAUT.toString('base64'), stream: true, options: { maxNewTokens: 60, minNewTokens: 60 } });
    const socket = connect(Number(port), hostname);
    let received = '';
    let closed: Promise<void> | undefined;
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      // The first streamed token is out: the adapter starts closing while this request runs, and a second request
      // arrives on the same connection.
      if (closed === undefined && received.includes('event: token')) {
        closed = adapter.close();
        socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
      }
    });
    socket.write(`POST /v1/caption HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await ended;
    await closed;
    const second = received.slice(received.lastIndexOf('HTTP/1.1 '));
    expect(received).toContain('event: done');
    expect(second.startsWith('HTTP/1.1 503')).toBe(true);
    expect(second.toLowerCase()).toContain('retry-after: 5');
    const json = JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4));
    expect(json.error.code).toBe('ABORTED');
    expect(json.error.message).toContain('shutting down');
  });
});
