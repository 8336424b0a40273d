/**
 * Parity with Hugging Face transformers on the tiny OPT fixture: the converter's bundle, run by the engine, must
 * reproduce goldens.json — tokenizer, pixel values, vision / Q-Former / projection outputs, first-step logits, every
 * generate() setting of every photo and the left-padded batch.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGES, TINY_OPT, readFloat32Bin, readJson } from '../../helpers/fixtures.ts';
import { useTinyOptRuntime } from '../../helpers/tiny-bundle.ts';
import { maxAbsDiff } from '../../helpers/summaries.ts';
import { expectImageSideMatches, expectedNewTokens, generationOptionsOf, promptOf, type GoldenOutput } from './golden-generation.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const photos = Object.keys(goldens.images) as string[];
const tinyRuntime = useTinyOptRuntime();
const queryEmbeds = new Map<string, Float32Array>();

describe('tokenizer', () => {
  const cases: { text: string; input_ids: number[]; decoded_skip_special: string }[] = goldens.tokenizer_cases;
  it.each(cases)('$text', (c) => {
    expect(tinyRuntime().tokenizer.encode(c.text).ids).toEqual(c.input_ids);
    expect(tinyRuntime().tokenizer.decode(c.input_ids, { skipSpecialTokens: true })).toBe(c.decoded_skip_special);
  });
});

describe.each(photos)('%s', (photo) => {
  const golden = goldens.images[photo];

  it('vision, Q-Former and projection outputs match within 1e-4', async () => {
    const out = await expectImageSideMatches(tinyRuntime(), readFileSync(join(IMAGES, photo)), golden);
    queryEmbeds.set(photo, out.queryEmbeds);
    if (photo === 'astronaut.png') {
      expect(maxAbsDiff(out.pixels, readFloat32Bin(join(TINY_OPT, 'astronaut_pixel_values.bin')))).toBeLessThan(1e-6);
      expect(maxAbsDiff(out.imageEmbeds, readFloat32Bin(join(TINY_OPT, 'astronaut_vision_last_hidden_state.bin')))).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.queryEmbeds, readFloat32Bin(join(TINY_OPT, 'astronaut_language_projection.bin')))).toBeLessThan(1e-4);
    }
  });

  it.each(Object.entries(golden.first_step_logits))('first-step logits (%s): top-5 ids equal, values within 1e-4', async (name, expected: any) => {
    const prompt = name === 'caption_bos_only' ? '' : goldens.prompts[name].text;
    const session = tinyRuntime().decoderSession([{ queryEmbeds: queryEmbeds.get(photo)!, prompt }]);
    const logits = await session.prefill();
    const top5 = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]).slice(0, 5);
    expect(top5).toEqual(expected.top5.ids);
    expected.top5.values.forEach((v: number, i: number) => expect(Math.abs(logits[top5[i]] - v)).toBeLessThan(1e-4));
    const rowSum = logits.reduce((a, b) => a + b, 0);
    expect(Math.abs(rowSum - expected.last_row_sum)).toBeLessThan(1e-4 * Math.sqrt(logits.length));
    if (photo === 'astronaut.png' && name === 'vqa_what') {
      expect(maxAbsDiff(logits, readFloat32Bin(join(TINY_OPT, 'astronaut_vqa_what_first_step_logits.bin')))).toBeLessThan(1e-4);
    }
  });

  it.each(Object.entries(golden.generate))('generate %s', async (setting, expected: any) => {
    const prompt = promptOf(setting, expected, goldens.prompts);
    const promptIds = tinyRuntime().tokenizer.encode(prompt).ids;
    const [output] = await tinyRuntime().generate([{ queryEmbeds: queryEmbeds.get(photo)!, prompt }], generationOptionsOf(expected.kwargs, promptIds.length));
    const golden: GoldenOutput = expected.outputs[0];
    const { compared, tokens } = expectedNewTokens(golden, goldens.model.language_model.pad_token_id);
    expect(output.sequence[0]).toBe(golden.sequence[0]);
    expect(output.sequence.slice(1, 1 + compared)).toEqual(tokens.slice(0, compared));
    if (compared === tokens.length) {
      expect(output.sequence).toEqual([golden.sequence[0], ...tokens]);
      expect(output.text).toBe(golden.text_stripped);
    }
  });
});

describe('left-padded batch of 3 images × 3 prompts', () => {
  const batch = goldens.batch;

  it('pads on the left exactly as the processor does', () => {
    const ids = batch.prompts.map((p: string) => tinyRuntime().tokenizer.encode(p).ids);
    const width = Math.max(...ids.map((row: number[]) => row.length));
    const padded = ids.map((row: number[]) => [...Array(width - row.length).fill(goldens.model.language_model.pad_token_id), ...row]);
    expect(padded).toEqual(batch.text_input_ids);
  });

  it.each(['greedy', 'greedy_eos_override', 'beam3'])('%s', async (setting) => {
    const embeddings = await tinyRuntime().encodeImages(batch.images.map((image: string) => readFileSync(join(IMAGES, image))));
    const items = embeddings.map((e, i) => ({ queryEmbeds: e.queryEmbeds, prompt: batch.prompts[i] }));
    const outputs = await tinyRuntime().generate(items, generationOptionsOf(batch[setting].kwargs, 0));
    batch[setting].outputs.forEach((golden: GoldenOutput, row: number) => {
      const { tokens } = expectedNewTokens(golden, goldens.model.language_model.pad_token_id);
      expect(outputs[row].sequence, `row ${row}`).toEqual([golden.sequence[0], ...tokens]);
      expect(outputs[row].text).toBe(golden.text_stripped);
    });
  });
});
