/**
 * The runtime's timings: prefill + decode account for the generation's time, beam search included (its scoring and
 * cache reordering between decoder steps are decoding work, not something outside the timed stages).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGES } from '../../helpers/fixtures.ts';
import { useTinyOptRuntime } from '../../helpers/tiny-bundle.ts';

const tinyRuntime = useTinyOptRuntime();

describe('generation timings', () => {
  it.each([1, 6])('numBeams %i: prefill + decode cover most of the call, and decode is zero with no decoder step', async (numBeams) => {
    const [embedding] = await tinyRuntime().encodeImages([readFileSync(join(IMAGES, 'coffee.png'))]);
    const items = [{ queryEmbeds: embedding.queryEmbeds, prompt: '' }];
    const options = { maxNewTokens: 40, minNewTokens: 40, numBeams };
    await tinyRuntime().generate(items, options); // warm-up
    const started = performance.now();
    const [output] = await tinyRuntime().generate(items, options);
    const wall = performance.now() - started;
    const { prefill, decode } = output.timingsMs;
    expect(prefill + decode).toBeLessThanOrEqual(wall);
    // What is left is tokenizing the prompt and detokenizing the answer; before, beam search's own work was missing.
    expect(prefill + decode).toBeGreaterThan(0.5 * wall);
    const [single] = await tinyRuntime().generate(items, { maxNewTokens: 1 });
    expect(single.timingsMs.decode).toBe(0);
  });
});
