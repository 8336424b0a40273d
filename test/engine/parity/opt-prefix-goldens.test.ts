/**
 * The kept image prefix (language-prefix.ts) against transformers' goldens: prefilling [queries] and then the prompt
 * after them, with the prefix computed in the same call or brought from an earlier one, gives the same first-step
 * logits (within the goldens' 1e-4) and the same generated tokens as transformers' single pass over
 * [queries ; prompt], for every photo and generation setting, and for the left-padded batch.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { languagePrefixBytes, type LanguagePrefix } from '../../../engine/runtime/language-prefix.ts';
import { OptDecoderSession } from '../../../engine/runtime/opt-decoder-session.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { useTinyOptRuntime, useTinyT5Runtime } from '../../helpers/tiny-bundle.ts';
import { maxAbsDiff } from '../../helpers/summaries.ts';
import { expectedNewTokens, generationOptionsOf, promptOf, type GoldenOutput } from './golden-generation.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const photos = Object.keys(goldens.images) as string[];
const padTokenId: number = goldens.model.language_model.pad_token_id;
const tinyRuntime = useTinyOptRuntime();
const tinyT5 = useTinyT5Runtime();
const embeddings = new Map<string, { queryEmbeds: Float32Array; prefix: LanguagePrefix }>();

/** The photo's query embeddings and its prefix, computed by a caption call with keepPrefix. */
async function imageOf(photo: string): Promise<{ queryEmbeds: Float32Array; prefix: LanguagePrefix }> {
  let known = embeddings.get(photo);
  if (!known) {
    const [embedding] = await tinyRuntime().encodeImages([readFileSync(join(IMAGES, photo))]);
    const [output] = await tinyRuntime().generate([{ queryEmbeds: embedding.queryEmbeds, prompt: '' }], { maxNewTokens: 1 }, { keepPrefix: true });
    known = { queryEmbeds: embedding.queryEmbeds, prefix: output.prefix! };
    embeddings.set(photo, known);
  }
  return known;
}

function expectGoldenSequence(output: { sequence: number[]; text: string }, golden: GoldenOutput): void {
  const { compared, tokens } = expectedNewTokens(golden, padTokenId);
  expect(output.sequence[0]).toBe(golden.sequence[0]);
  expect(output.sequence.slice(1, 1 + compared)).toEqual(tokens.slice(0, compared));
  if (compared === tokens.length) {
    expect(output.sequence).toEqual([golden.sequence[0], ...tokens]);
    expect(output.text).toBe(golden.text_stripped);
  }
}

describe.each(photos)('%s', (photo) => {
  const golden = goldens.images[photo];

  it('the prefix covers the queries of every layer, in shared memory', async () => {
    const { prefix } = await imageOf(photo);
    const lm = goldens.model.language_model;
    expect(prefix.length).toBe(goldens.model.num_query_tokens);
    expect(prefix.keys).toHaveLength(lm.layers);
    expect(prefix.keys[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(languagePrefixBytes(prefix)).toBe(2 * lm.layers * goldens.model.num_query_tokens * lm.hidden * 4);
  });

  it.each(Object.entries(golden.first_step_logits))('first-step logits (%s) after a computed and after a kept prefix: top-5 ids equal, values within 1e-4', async (name, expected: any) => {
    const { queryEmbeds, prefix } = await imageOf(photo);
    const prompt = name === 'caption_bos_only' ? '' : goldens.prompts[name].text;
    const promptIds = tinyRuntime().promptIds(prompt);
    const computed = await tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds }], { usePrefix: true }).prefill();
    const kept = await tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds, prefix }]).prefill();
    for (const logits of [computed, kept]) {
      const top5 = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]).slice(0, 5);
      expect(top5).toEqual(expected.top5.ids);
      expected.top5.values.forEach((v: number, i: number) => expect(Math.abs(logits[top5[i]] - v)).toBeLessThan(1e-4));
    }
    expect(maxAbsDiff(computed, kept)).toBe(0);
  });

  it.each(Object.entries(golden.generate))('generate %s with the kept prefix', async (setting, expected: any) => {
    const { queryEmbeds, prefix } = await imageOf(photo);
    const prompt = promptOf(setting, expected, goldens.prompts);
    const options = generationOptionsOf(expected.kwargs, tinyRuntime().tokenizer.encode(prompt).ids.length);
    const [output] = await tinyRuntime().generate([{ queryEmbeds, prompt, prefix }], options, { keepPrefix: true });
    expectGoldenSequence(output, expected.outputs[0]);
    expect(output.prefix).toBe(prefix);
  });
});

describe('left-padded batch of 3 images × 3 prompts, with kept prefixes', () => {
  const batch = goldens.batch;

  it.each(['greedy', 'greedy_eos_override', 'beam3'])('%s', async (setting) => {
    const images = await Promise.all(batch.images.map((image: string) => imageOf(image)));
    // Row 0 brings its prefix, the others have theirs computed in the same call.
    const items = images.map((image, i) => ({ queryEmbeds: image.queryEmbeds, prompt: batch.prompts[i], ...(i === 0 ? { prefix: image.prefix } : {}) }));
    const outputs = await tinyRuntime().generate(items, generationOptionsOf(batch[setting].kwargs, 0), { keepPrefix: true });
    batch[setting].outputs.forEach((golden: GoldenOutput, row: number) => {
      const { tokens } = expectedNewTokens(golden, padTokenId);
      expect(outputs[row].sequence, `row ${row}`).toEqual([golden.sequence[0], ...tokens]);
      expect(outputs[row].text).toBe(golden.text_stripped);
    });
    expect(outputs[0].prefix).toBe(images[0].prefix);
    for (const row of [1, 2]) expect(maxAbsDiff(outputs[row].prefix!.keys[0], images[row].prefix.keys[0])).toBe(0);
  });
});

describe('prefix bookkeeping', () => {
  it('rows about the same image compute its prefix once and share it', async () => {
    const { queryEmbeds } = await imageOf('coffee.png');
    const session = tinyRuntime().decoderSessionForIds(
      [
        { queryEmbeds, promptIds: tinyRuntime().promptIds('') },
        { queryEmbeds, promptIds: tinyRuntime().promptIds('Question: what is this? Answer:') },
      ],
      { usePrefix: true },
    ) as OptDecoderSession;
    await session.prefill();
    expect(session.prefixes[0]).toBe(session.prefixes[1]);
  });

  it('refuses a prefix of another shape with INVALID_INPUT', async () => {
    const { queryEmbeds, prefix } = await imageOf('coffee.png');
    const short = { ...prefix, keys: prefix.keys.slice(1) };
    expect(() => tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds: [2], prefix: short }])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });

  it('T5 refuses keepPrefix with INVALID_INPUT: its encoder reads queries and prompt together', async () => {
    const [embedding] = await tinyT5().encodeImages([readFileSync(join(IMAGES, 'coffee.png'))]);
    await expect(tinyT5().generate([{ queryEmbeds: embedding.queryEmbeds, prompt: '' }], {}, { keepPrefix: true })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });
});
