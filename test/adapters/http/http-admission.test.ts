// Admission over HTTP, end to end: a full queue answers 503 BUSY with Retry-After and the coded body, and a
// non-streaming client that disconnects cancels its request in the service. One request may wait (GLANCE_QUEUE_SIZE 1)
// and one runs at a time (GLANCE_MAX_BATCH 1); clients are told apart by X-Forwarded-For from the trusted local proxy.
import { describe, expect, it } from 'vitest';
import { ASTRONAUT, healthWhenIdle, postJson, useTestServer } from './http-test-server.ts';

const server = useTestServer({ GLANCE_QUEUE_SIZE: '1', GLANCE_MAX_BATCH: '1', GLANCE_HTTP_TRUST_PROXY: '127.0.0.1' });
const base64 = ASTRONAUT.toString('base64');
/** 2015 tokens with EOS suppressed (all the room the tiny model's 2048 positions leave): runs far longer than any test step takes; the tests cancel it. */
const longCaption = { image: base64, options: { maxNewTokens: 2015, minNewTokens: 2015 } };

function caption(body: unknown, client: string, options: { stream?: boolean; signal?: AbortSignal } = {}): Promise<Response> {
  return fetch(`${server().url}/v1/caption${options.stream ? '?stream=1' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify(body),
    signal: options.signal,
  });
}

async function health(): Promise<any> {
  return (await fetch(`${server().url}/healthz`)).json();
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function abortedCaptions(): Promise<number> {
  const metrics = await (await fetch(`${server().url}/metrics`)).text();
  return Number(/glance_requests_total\{route="\/v1\/caption",code="ABORTED"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

describe('admission over HTTP', () => {
  it('answers 503 BUSY with Retry-After and the coded JSON body when the queue is full', async () => {
    const clients = new AbortController();
    const running = await caption(longCaption, '198.51.100.1', { stream: true, signal: clients.signal });
    await running.body!.getReader().read(); // the first token: it is generating
    const waiting = caption(longCaption, '198.51.100.2', { stream: true, signal: clients.signal }).catch(() => undefined);
    await until(async () => (await health()).queued === 1);

    const busy = await postJson(`${server().url}/v1/caption`, { image: base64 }, { 'x-forwarded-for': '198.51.100.3' });
    expect(busy.status).toBe(503);
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(busy.headers.get('content-type')).toMatch(/^application\/json/);
    expect(busy.body.error.code).toBe('BUSY');
    expect(busy.body.error.message).toContain('try again');

    clients.abort();
    await waiting;
    expect(await healthWhenIdle(server().url)).toMatchObject({ running: 0, queued: 0 });
  });

  it('cancels the request of a non-streaming client that disconnects', async () => {
    await healthWhenIdle(server().url);
    const abortedBefore = await abortedCaptions();
    const client = new AbortController();
    const request = caption(longCaption, '198.51.100.4', { signal: client.signal }).catch((error: Error) => error);
    await until(async () => (await health()).running === 1);
    client.abort();
    expect(await request).toBeInstanceOf(Error);
    // The service stops the request (ABORTED) instead of generating its 1500 tokens for nobody.
    await until(async () => (await abortedCaptions()) === abortedBefore + 1);
    expect(await healthWhenIdle(server().url)).toMatchObject({ ok: true, running: 0, queued: 0 });
  });
});
