import { describe, expect, it } from 'vitest';
import { TEST_PROVIDER } from '../../helpers/fixtures.ts';
import { ASTRONAUT, GOLDEN_ANSWER, GOLDEN_CAPTION, QUESTION, healthWhenIdle, postJson, readEvents, useTestServer } from './http-test-server.ts';

const server = useTestServer();
const base64 = ASTRONAUT.toString('base64');
const dataUrl = `data:image/png;base64,${base64}`;

function multipart(fields: Record<string, string>): FormData {
  const form = new FormData();
  form.append('image', new Blob([ASTRONAUT], { type: 'image/png' }), 'astronaut.png');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}


/** A streamed caption of 1500 tokens with EOS suppressed: it runs far longer than any test step takes. */
function startLongCaptionStream(signal?: AbortSignal): Promise<Response> {
  return fetch(`${server().url}/v1/caption?stream=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image: base64, options: { maxNewTokens: 1500, minNewTokens: 1500 } }),
    signal,
  });
}

describe('REST API', () => {
  it('captions JSON with base64 as transformers does, then hits the embedding cache for the same image', async () => {
    const first = await postJson(`${server().url}/v1/caption`, { image: base64, options: { maxNewTokens: 20 } });
    expect(first.status).toBe(200);
    expect(first.body.text).toBe(GOLDEN_CAPTION);
    expect(first.body).toMatchObject({ cacheHit: false, prefixCacheHit: false, finishReason: 'length', batchSize: 1 });
    expect(first.body.imageHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(first.body.timingsMs).sort()).toEqual(['decode', 'prefill', 'preprocess', 'queue', 'total', 'vision']);
    const again = await postJson(`${server().url}/v1/caption`, { image: dataUrl, options: { maxNewTokens: 20 } });
    expect(again.body).toMatchObject({ text: GOLDEN_CAPTION, cacheHit: true, prefixCacheHit: true, imageHash: first.body.imageHash });
  });

  it('answers a multipart question as transformers does', async () => {
    const response = await fetch(`${server().url}/v1/ask`, { method: 'POST', body: multipart({ question: QUESTION, options: '{"maxNewTokens":20}' }) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).text).toBe(GOLDEN_ANSWER);
  });

  it('captions a multipart upload', async () => {
    const response = await fetch(`${server().url}/v1/caption`, { method: 'POST', body: multipart({ options: '{"maxNewTokens":20}' }) });
    expect(((await response.json()) as any).text).toBe(GOLDEN_CAPTION);
  });

  it('streams server-sent events: tokens with the text so far, then the result', async () => {
    const response = await fetch(`${server().url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ image: base64, question: QUESTION, options: { maxNewTokens: 20 } }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    const tokens = events.filter((e) => e.event === 'token').map((e) => JSON.parse(e.data).text);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.at(-1)).toBe(GOLDEN_ANSWER);
    expect(events.at(-1)!.event).toBe('done');
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ text: GOLDEN_ANSWER, cacheHit: true });
  });

  it('streams with ?stream=1 too', async () => {
    const response = await fetch(`${server().url}/v1/caption?stream=1`, { method: 'POST', body: multipart({ options: '{"maxNewTokens":20}' }) });
    const events = await readEvents(response);
    expect(JSON.parse(events.at(-1)!.data).text).toBe(GOLDEN_CAPTION);
  });

  it('streams with a stream field (JSON true, multipart "true"), and answers JSON for stream false or ?stream=0 even with an event-stream Accept', async () => {
    const json = await fetch(`${server().url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: base64, question: QUESTION, stream: true, options: { maxNewTokens: 20 } }),
    });
    expect(json.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(JSON.parse((await readEvents(json)).at(-1)!.data).text).toBe(GOLDEN_ANSWER);
    const form = await fetch(`${server().url}/v1/caption`, { method: 'POST', body: multipart({ stream: 'true', options: '{"maxNewTokens":20}' }) });
    const events = await readEvents(form);
    expect(events.at(-1)).toMatchObject({ event: 'done' });
    expect(JSON.parse(events.at(-1)!.data).text).toBe(GOLDEN_CAPTION);
    for (const [path, body] of [['/v1/caption', multipart({ stream: 'false', options: '{"maxNewTokens":20}' })], ['/v1/caption?stream=0', multipart({ options: '{"maxNewTokens":20}' })]] as const) {
      const plain = await fetch(`${server().url}${path}`, { method: 'POST', headers: { accept: 'text/event-stream' }, body });
      expect(plain.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(((await plain.json()) as any).text, path).toBe(GOLDEN_CAPTION);
    }
  });

  it('refuses query parameters it does not take, stream values it does not know, and a stream field that contradicts ?stream=', async () => {
    const cases: Array<[string, FormData | string, string]> = [
      ['/v1/caption?stream=yes', multipart({}), '?stream= must be'],
      ['/v1/caption?streaming=1', multipart({}), 'unknown query parameter "streaming"'],
      ['/v1/ask?stream=1', JSON.stringify({ image: base64, question: QUESTION, stream: false }), 'disagree'],
      ['/v1/ask', JSON.stringify({ image: base64, question: QUESTION, stream: 'yes' }), 'stream must be true or false'],
    ];
    for (const [path, body, message] of cases) {
      const headers: Record<string, string> = typeof body === 'string' ? { 'content-type': 'application/json' } : {};
      const response = await fetch(`${server().url}${path}`, { method: 'POST', headers, body });
      expect(response.status, path).toBe(400);
      const { error } = (await response.json()) as any;
      expect(error.code, path).toBe('INVALID_INPUT');
      expect(error.message, path).toContain(message);
    }
  });

  it('reports health and Prometheus metrics', async () => {
    const health = await fetch(`${server().url}/healthz`);
    expect(health.status).toBe(200);
    // provider: where the engine actually runs (a GPU host whose CUDA failed under `auto` would say cpu here)
    expect(await health.json()).toMatchObject({ ok: true, provider: TEST_PROVIDER, queued: 0, running: 0, workerRestarts: 0 });
    const metrics = await fetch(`${server().url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await metrics.text();
    for (const name of ['glance_stage_seconds_bucket', 'glance_queue_depth', 'glance_batch_size', 'glance_cache_hits_total', 'glance_cache_bytes', 'glance_requests_total']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/glance_stage_seconds_count\{stage="vision"\} [1-9]/);
    expect(text).toMatch(/glance_requests_total\{route="\/v1\/caption",code="ok"\} [1-9]/);
  });

  it('serves the playground page', async () => {
    const page = await fetch(`${server().url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<label for="image-input">');
    expect((await fetch(`${server().url}/playground.js`)).status).toBe(200);
  });
});

describe('OpenAI-compatible chat completions', () => {
  const imagePart = { type: 'image_url', image_url: { url: dataUrl } };

  it('lists the one model', async () => {
    const body = (await (await fetch(`${server().url}/v1/models`)).json()) as any;
    expect(body).toMatchObject({ object: 'list', data: [{ object: 'model', id: server().config.model ?? 'glance' }] });
  });

  it('captions an image with no text, as a chat.completion', async () => {
    const { status, body } = await postJson(`${server().url}/v1/chat/completions`, {
      model: 'tiny', max_tokens: 20, messages: [{ role: 'user', content: [imagePart] }],
    });
    expect(status).toBe(200);
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]).toMatchObject({ index: 0, message: { role: 'assistant', content: GOLDEN_CAPTION }, finish_reason: 'length' });
    expect(body.usage.completion_tokens).toBe(20);
  });

  it('answers the last user text about the latest image', async () => {
    const { body } = await postJson(`${server().url}/v1/chat/completions`, {
      max_tokens: 20,
      messages: [
        { role: 'system', content: 'You describe images.' },
        { role: 'user', content: [imagePart, { type: 'text', text: 'describe it' }] },
        { role: 'assistant', content: 'something' },
        { role: 'user', content: QUESTION },
      ],
    });
    expect(body.choices[0].message.content).toBe(GOLDEN_ANSWER);
  });

  it('streams OpenAI chunks ending in [DONE]', async () => {
    const response = await fetch(`${server().url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ max_tokens: 20, stream: true, messages: [{ role: 'user', content: [imagePart, { type: 'text', text: QUESTION }] }] }),
    });
    const events = await readEvents(response);
    expect(events.at(-1)!.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(GOLDEN_ANSWER);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('length');
  });
});

describe('cancellation', () => {
  const captionCount = async (code: string) => {
    const metrics = await (await fetch(`${server().url}/metrics`)).text();
    return Number(new RegExp(`glance_requests_total\\{route="/v1/caption",code="${code}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  };

  it('cancels the service request when the client disconnects mid-stream', async () => {
    const okBefore = await captionCount('ok');
    const client = new AbortController();
    const response = await startLongCaptionStream(client.signal);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('event: token');
    client.abort();
    // The route records the outcome once the service has stopped the request.
    while ((await captionCount('ABORTED')) === 0) {
      expect(await captionCount('ok')).toBe(okBefore);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await healthWhenIdle(server().url)).toMatchObject({ ok: true, running: 0, queued: 0 });
  });
});

describe('one running request per user', () => {
  it('answers a second request from the same client with 429 RATE_LIMITED and Retry-After while the first runs', async () => {
    const client = new AbortController();
    const response = await startLongCaptionStream(client.signal);
    await response.body!.getReader().read(); // the first token: the request is running
    const second = await postJson(`${server().url}/v1/ask`, { image: base64, question: QUESTION });
    client.abort();
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('RATE_LIMITED');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('engine crash', () => {
  it('ends the stream in flight with ENGINE_CRASHED, and the next request is served by the restarted engine', async () => {
    await healthWhenIdle(server().url);
    const response = await startLongCaptionStream();
    const reader = response.body!.getReader();
    await reader.read(); // the first token: generation is running
    await server().service.crashEngineForTest();
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    const lastEvent = rest.trim().split('\n\n').at(-1)!;
    expect(lastEvent).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(lastEvent.split('\ndata: ')[1]).error.code).toBe('ENGINE_CRASHED');

    const next = await postJson(`${server().url}/v1/caption`, { image: base64, options: { maxNewTokens: 20 } });
    expect(next.status).toBe(200);
    expect(next.body.text).toBe(GOLDEN_CAPTION);
    expect((await healthWhenIdle(server().url)).workerRestarts).toBe(1);
  });
});
