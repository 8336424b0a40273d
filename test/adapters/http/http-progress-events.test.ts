// The `progress` field of /v1/caption and /v1/ask: a streamed answer says each stage the request enters (`event:
// stage`), in order, before its tokens; without the field nothing changes (an early failure keeps its status).
import { describe, expect, it } from 'vitest';
import { ASTRONAUT, GOLDEN_ANSWER, GOLDEN_CAPTION, QUESTION, postJson, readEvents, useTestServer, type ServerEvent } from './http-test-server.ts';

const server = useTestServer();
const base64 = ASTRONAUT.toString('base64');

function stream(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server().url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stream: true, ...body }) });
}

/** The events' names, runs of `token` folded into one. */
const sequence = (events: ServerEvent[]) => events.map((event) => event.event).filter((name, i, names) => name !== 'token' || names[i - 1] !== 'token');
const stages = (events: ServerEvent[]) => events.filter((event) => event.event === 'stage').map((event) => JSON.parse(event.data).stage);

describe('progress events', () => {
  it('a new image: queued, reading the image, queued for a batch, writing, then the tokens and the golden caption', async () => {
    const events = await readEvents(await stream('/v1/caption', { image: base64, progress: true, options: { maxNewTokens: 20 } }));
    expect(sequence(events)).toEqual(['stage', 'stage', 'stage', 'stage', 'token', 'done']);
    expect(stages(events)).toEqual(['queued', 'reading-image', 'queued', 'writing']);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ text: GOLDEN_CAPTION, cacheHit: false });
  });

  it('an image from the embedding cache is not read again: queued, then writing', async () => {
    const events = await readEvents(await stream('/v1/ask', { image: base64, question: QUESTION, progress: true, options: { maxNewTokens: 20 } }));
    expect(stages(events)).toEqual(['queued', 'writing']);
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ text: GOLDEN_ANSWER, cacheHit: true });
  });

  it('multipart "true" asks for them too; without progress a stream has no stage events', async () => {
    const form = new FormData();
    form.append('image', new Blob([ASTRONAUT], { type: 'image/png' }), 'astronaut.png');
    form.append('progress', 'true');
    form.append('options', '{"maxNewTokens":20}');
    const withProgress = await readEvents(await fetch(`${server().url}/v1/caption?stream=1`, { method: 'POST', body: form }));
    expect(stages(withProgress)).toEqual(['queued', 'writing']);
    const without = await readEvents(await stream('/v1/caption', { image: base64, options: { maxNewTokens: 20 } }));
    expect(sequence(without)).toEqual(['token', 'done']);
  });

  it('a refused image after the first stage is an error event; without progress it keeps its JSON status', async () => {
    const bad = Buffer.from('not really a png').toString('base64');
    const response = await stream('/v1/caption', { image: bad, progress: true });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(sequence(events)).toEqual(['stage', 'stage', 'error']);
    expect(JSON.parse(events.at(-1)!.data).error.code).toBe('IMAGE_UNSUPPORTED');
    const plain = await stream('/v1/caption', { image: bad });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as any).error.code).toBe('IMAGE_UNSUPPORTED');
  });

  it('progress without a streamed answer is refused, saying how to ask for a stream', async () => {
    const answer = await postJson(`${server().url}/v1/caption`, { image: base64, progress: true });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('INVALID_INPUT');
    expect(answer.body.error.message).toContain('progress events come in a streamed answer: add "stream": true');
    const notBoolean = await postJson(`${server().url}/v1/caption`, { image: base64, stream: true, progress: 'yes' });
    expect(notBoolean.body.error.message).toContain('progress must be true or false');
  });
});
