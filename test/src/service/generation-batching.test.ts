/**
 * Which requests share a generation batch, on the real service (tiny OPT bundle): options equal once defaults are
 * filled in batch together (each row still equal to transformers' golden), and seeded sampling runs in a batch of its
 * own, so two identical seeded requests sent at once give exactly the tokens one gives alone.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceRequest } from '../../../src/service/glance-service.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { useTinyServiceBundle } from '../../helpers/tiny-service.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const golden = (image: string): { text_stripped: string; sequence: number[] } => goldens.images[image].generate.caption_greedy.outputs[0];
const image = (name: string): Uint8Array => readFileSync(join(IMAGES, name));

let user = 0;
const request = (name: string, generation: Record<string, unknown>, channelId = 'c'): ServiceRequest => ({ image: image(name), userId: `u${++user}`, channelId, generation });

const { service } = useTinyServiceBundle();

describe('generation batching', () => {
  it('batches requests whose options are equal after defaults, each row equal to its golden', async () => {
    const before = service().engineCalls();
    const results = await Promise.all([
      service().run(request('astronaut.png', { maxNewTokens: 20 }, 'a')),
      service().run(request('chelsea.png', { maxNewTokens: 20, numBeams: 1, doSample: false, repetitionPenalty: 1 }, 'b')),
    ]);
    expect(results.map((r) => r.batchSize)).toEqual([2, 2]);
    expect(results[0].sequence).toEqual(golden('astronaut.png').sequence);
    expect(results[1].sequence).toEqual(golden('chelsea.png').sequence);
    expect(service().engineCalls().generationBatches - before.generationBatches).toBe(1);
  });

  it('batches {} with {"maxNewTokens":30} (the default length)', async () => {
    const results = await Promise.all([service().run(request('rocket.jpg', {}, 'a')), service().run(request('rocket.jpg', { maxNewTokens: 30 }, 'b'))]);
    expect(results.map((r) => r.batchSize)).toEqual([2, 2]);
    expect(results[1].sequence).toEqual(results[0].sequence);
    expect(results[0].sequence.length).toBeGreaterThan(golden('rocket.jpg').sequence.length - 1);
  });

  it('runs seeded sampling in a batch of its own: two identical seeded requests at once give the tokens one gives alone', async () => {
    const seeded = { doSample: true, seed: 1234, topK: 0, maxNewTokens: 20 };
    const alone = await service().run(request('astronaut.png', seeded));
    const before = service().engineCalls();
    const together = await Promise.all([service().run(request('astronaut.png', seeded, 'a')), service().run(request('astronaut.png', seeded, 'b'))]);
    expect(together.map((r) => r.sequence)).toEqual([alone.sequence, alone.sequence]);
    expect(together.map((r) => r.batchSize)).toEqual([1, 1]);
    expect(service().engineCalls().generationBatches - before.generationBatches).toBe(2);
  });

  it('still batches sampling without a seed', async () => {
    const sampling = { doSample: true, maxNewTokens: 5 };
    const results = await Promise.all([service().run(request('astronaut.png', sampling, 'a')), service().run(request('chelsea.png', sampling, 'b'))]);
    expect(results.map((r) => r.batchSize)).toEqual([2, 2]);
  });
});
