import { describe, expect, it } from 'vitest';
import { ASTRONAUT, healthWhenIdle, postJson, readEvents, useTestServer } from './http-test-server.ts';

// A 0.3 s deadline against 1500 tokens with EOS suppressed (seconds of decoding even for the tiny model).
const server = useTestServer({ GLANCE_DEADLINE_SECONDS: '0.3' });
const body = { image: ASTRONAUT.toString('base64'), options: { maxNewTokens: 1500, minNewTokens: 1500 } };

describe('deadline', () => {
  it('answers 504 DEADLINE_EXCEEDED when the request runs past the deadline', async () => {
    const response = await postJson(`${server().url}/v1/caption`, body);
    expect(response.status).toBe(504);
    expect(response.body.error.code).toBe('DEADLINE_EXCEEDED');
    expect(response.body.error.message).toContain('try again with fewer new tokens');
    expect(response.body.error.detail).toContain('did not finish within 300 ms');
  });

  it('ends a stream that already sent tokens with an error event', async () => {
    const response = await fetch(`${server().url}/v1/caption`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events.some((e) => e.event === 'token')).toBe(true);
    expect(events.at(-1)!.event).toBe('error');
    expect(JSON.parse(events.at(-1)!.data).error.code).toBe('DEADLINE_EXCEEDED');
    expect(await healthWhenIdle(server().url)).toMatchObject({ ok: true, running: 0, queued: 0 });
  });
});
