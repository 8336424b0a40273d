/**
 * The Engine facade runs the model in a worker thread: tokens stream back as they are produced, an AbortSignal stops
 * a generation between steps, `auto` falls back to CPU with a log line where CUDA is absent, and the main thread's
 * event loop keeps turning while the model runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../engine/engine.ts';
import { ErrorCode } from '../../engine/errors.ts';
import { IMAGES, TINY_OPT, readJson } from '../helpers/fixtures.ts';
import { convertTinyOpt } from '../helpers/tiny-bundle.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
let engine: Engine;
let cleanup: () => void;
const logs: string[] = [];

beforeAll(async () => {
  const bundle = await convertTinyOpt();
  cleanup = bundle.cleanup;
  engine = await Engine.open({ bundleDir: bundle.dir, provider: 'auto', threads: 1, log: (message) => logs.push(message) });
});

afterAll(async () => {
  await engine?.close();
  cleanup?.();
});

describe('Engine (worker thread)', () => {
  it('falls back from auto to CPU with a log line when CUDA is absent', () => {
    if (engine.provider === 'cuda') return; // a GPU host: nothing to fall back from
    expect(logs.some((line) => /falling back to CPU/.test(line))).toBe(true);
  });

  it('streams tokens as they are produced, ending with the golden caption', async () => {
    const [image] = await engine.encodeImages([readFileSync(join(IMAGES, 'astronaut.png'))]);
    const streamed: number[] = [];
    const texts: string[] = [];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const [output] = await engine.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 20 }, {
      onToken: (row, token, text) => {
        expect(row).toBe(0);
        streamed.push(token);
        texts.push(text);
      },
    });
    clearInterval(ticker);
    const golden = goldens.images['astronaut.png'].generate.caption_greedy.outputs[0];
    expect(output.sequence).toEqual(golden.sequence);
    expect(streamed).toEqual(golden.sequence.slice(1));
    expect(texts.at(-1)?.trim()).toBe(golden.text_stripped);
    expect(ticks).toBeGreaterThan(0);
    // the language model read the image's query positions and the processor's caption ids (BOS) before generating
    expect(output.promptTokens).toBe(goldens.model.num_query_tokens + goldens.images['astronaut.png'].first_step_logits.caption_bos_only.input_ids.length);
  });

  it('stops a generation when its AbortSignal fires', async () => {
    const [image] = await engine.encodeImages([readFileSync(join(IMAGES, 'rocket.jpg'))]);
    const controller = new AbortController();
    let tokens = 0;
    const run = engine.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 500, minNewTokens: 500 }, {
      signal: controller.signal,
      onToken: () => {
        if (++tokens === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(tokens).toBeLessThan(500);
    // the engine still works afterwards
    const [after] = await engine.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 2 });
    expect(after.sequence).toHaveLength(3);
  });

  it('fails a call that passes its deadline with DEADLINE_EXCEEDED', async () => {
    const [image] = await engine.encodeImages([readFileSync(join(IMAGES, 'rocket.jpg'))]);
    const run = engine.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 2000, minNewTokens: 2000 }, { timeoutMs: 50 });
    await expect(run).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded });
  });

  it('rejects an already aborted call without running it', async () => {
    await expect(engine.encodeImages([readFileSync(join(IMAGES, 'rocket.jpg'))], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });

  it('refuses query embeddings of another model', async () => {
    await expect(engine.generate([{ queryEmbeds: new Float32Array(5), prompt: '' }])).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it('refuses calls after close with a coded error', async () => {
    await engine.close();
    await expect(engine.generate([{ queryEmbeds: new Float32Array(32 * 32), prompt: '' }])).rejects.toMatchObject({ code: ErrorCode.RuntimeFailure });
  });
});
