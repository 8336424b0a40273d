// /v1/chat/completions with the bodies real OpenAI clients send (the openai SDKs, LangChain, the Vercel AI SDK add
// fields such as temperature 0, top_p 1, n 1, stop null, user), usage counting, and refusals that leave nothing cached.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatOptionsFrom, inChatTerms } from '../../../adapters/http/chat-options.ts';
import type { GlanceError } from '../../../engine/errors.ts';
import { limitGeneration } from '../../../src/service/generation-limits.ts';
import { GOLDEN_CAPTION_PROMPT_IDS, GOLDEN_VQA_PROMPT_IDS } from '../../helpers/chat-test-service.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { ASTRONAUT, GOLDEN_ANSWER, GOLDEN_CAPTION, QUESTION, postJson, readEvents, useTestServer } from './http-test-server.ts';

// Questions up to 100 characters (http-test-server.ts).
const server = useTestServer();
const dataUrl = `data:image/png;base64,${ASTRONAUT.toString('base64')}`;
const completions = () => `${server().url}/v1/chat/completions`;

/** As the openai SDK (and LangChain's ChatOpenAI with temperature 0) sends it. */
function sdkBody(extra: Record<string, unknown> = {}) {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: [{ type: 'text', text: QUESTION }, { type: 'image_url', image_url: { url: dataUrl, detail: 'high' } }] },
    ],
    max_tokens: 20, temperature: 0, top_p: 1, seed: 42, n: 1, stop: null, user: 'user-1234', frequency_penalty: 0,
    presence_penalty: 0, logprobs: false, response_format: { type: 'text' }, stream: false,
    ...extra,
  };
}

async function cachedImages(): Promise<number> {
  return ((await (await fetch(`${server().url}/healthz`)).json()) as any).cache.entries;
}

describe('OpenAI client bodies on /v1/chat/completions', () => {
  it('answers an openai-SDK-shaped body greedily, with prompt, completion and total tokens', async () => {
    const { status, body } = await postJson(completions(), sdkBody());
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.choices).toEqual([{ index: 0, message: { role: 'assistant', content: GOLDEN_ANSWER }, finish_reason: 'length' }]);
    // the image's query positions, then the processor's prompt ids (BOS + "Question: … Answer:")
    const prompt = server().service.manifest.model.numQueryTokens + GOLDEN_VQA_PROMPT_IDS.length;
    expect(body.usage).toEqual({ prompt_tokens: prompt, completion_tokens: 20, total_tokens: prompt + 20 });
  });

  it('with stream_options.include_usage, ends the stream with a chunk that has no choices and the usage', async () => {
    const response = await fetch(completions(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sdkBody({ stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl } }] }] })),
    });
    const events = await readEvents(response);
    expect(events.at(-1)!.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    // a caption: the image's query positions and BOS
    const prompt = server().service.manifest.model.numQueryTokens + GOLDEN_CAPTION_PROMPT_IDS.length;
    expect(last.usage).toEqual({ prompt_tokens: prompt, completion_tokens: 20, total_tokens: prompt + 20 });
    const before = chunks.slice(0, -1);
    expect(before.every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    expect(before.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(GOLDEN_CAPTION);
    expect(before.at(-1).choices[0].finish_reason).toBe('length');
  });

  it('names refused generation values by the request\'s own fields (max_tokens, max_completion_tokens, top_p), streamed or not', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ max_tokens: 0 }, 'max_tokens', 'maxNewTokens'],
      [{ max_tokens: undefined, max_completion_tokens: 0 }, 'max_completion_tokens', 'maxNewTokens'],
      [{ temperature: 0.7, top_p: 1.5 }, 'top_p', 'topP'],
    ];
    for (const [fields, says, engineName] of cases) {
      for (const stream of [false, true]) {
        const { status, body } = await postJson(completions(), sdkBody({ ...fields, stream }));
        expect(status, JSON.stringify(fields)).toBe(400);
        expect(body.error.code).toBe('GENERATION_INVALID_OPTION');
        expect(body.error.message).toContain(says);
        expect(body.error.message).not.toContain(engineName);
      }
    }
  });

  it("names the server's token cap by the request's field too", () => {
    const overCap = () => limitGeneration({ maxNewTokens: 300 }, { maxBeams: 4, maxNewTokens: 256 }, { eosTokenIds: [2], padTokenId: 1 });
    expect(overCap).toThrow(/maxNewTokens 300/);
    let refused: unknown;
    try {
      overCap();
    } catch (error) {
      refused = error;
    }
    const { fieldNames } = chatOptionsFrom({ max_completion_tokens: 300 });
    const renamed = inChatTerms(refused, fieldNames) as GlanceError;
    expect(renamed.message).toBe('max_completion_tokens 300 is more than this server allows (256); ask for 256 or fewer new tokens');
    expect(renamed.details).toMatchObject({ option: 'max_completion_tokens', limit: 256 });
    expect(renamed.code).toBe('GENERATION_INVALID_OPTION');
  });

  it('answers about each image of a message in turn, labelled, streamed or not, with the usage summed', async () => {
    const chelsea = readFileSync(join(IMAGES, 'chelsea.png'));
    const goldenChelsea: string = readJson(join(TINY_OPT, 'goldens.json')).images['chelsea.png'].generate.caption_greedy.outputs[0].text_stripped;
    const messages = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl } }, { type: 'image_url', image_url: { url: `data:image/png;base64,${chelsea.toString('base64')}` } }] }];
    const expected = `Image 1: ${GOLDEN_CAPTION}\nImage 2: ${goldenChelsea}`;
    const { status, body } = await postJson(completions(), sdkBody({ messages }));
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.choices[0].message.content).toBe(expected);
    const prompt = server().service.manifest.model.numQueryTokens + GOLDEN_CAPTION_PROMPT_IDS.length;
    expect(body.usage).toEqual({ prompt_tokens: 2 * prompt, completion_tokens: 40, total_tokens: 2 * prompt + 40 });
    expect(body.glance.images.map((image: { text: string }) => image.text)).toEqual([GOLDEN_CAPTION, goldenChelsea]);

    const response = await fetch(completions(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sdkBody({ messages, stream: true })) });
    const chunks = (await readEvents(response)).slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(expected);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('length');
  });

  it('refuses a question above the limit with 400 INVALID_INPUT', async () => {
    const { status, body } = await postJson(completions(), sdkBody({ messages: [{ role: 'user', content: [{ type: 'text', text: 'why '.repeat(30) }, { type: 'image_url', image_url: { url: dataUrl } }] }] }));
    expect(status).toBe(400);
    expect(body.error.code).toBe('INVALID_INPUT');
  });

  it('caches nothing for refused requests (a bad image, a bad option) on an image not seen before', async () => {
    const before = await cachedImages();
    const unseen = `data:image/png;base64,${readFileSync(join(IMAGES, 'chelsea.png')).toString('base64')}`;
    const withImage = (url: string) => [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }];
    const refusals: Array<[Record<string, unknown>, number, string]> = [
      [{ messages: withImage(`data:image/png;base64,${Buffer.from('not a picture at all').toString('base64')}`) }, 415, 'IMAGE_UNSUPPORTED'],
      [{ messages: withImage(unseen), temperature: 0.7, top_p: 7 }, 400, 'GENERATION_INVALID_OPTION'],
      [{ messages: withImage(unseen), presence_penalty: 0.5 }, 400, 'GENERATION_UNSUPPORTED_OPTION'],
      [{ messages: withImage(unseen), stop: ['.'] }, 400, 'GENERATION_UNSUPPORTED_OPTION'],
    ];
    for (const [extra, status, code] of refusals) {
      const response = await postJson(completions(), sdkBody(extra));
      expect(response.status, code).toBe(status);
      expect(response.body.error.code).toBe(code);
    }
    expect(await cachedImages()).toBe(before);
  });
});
