/**
 * The kept image prefix (language-prefix.ts) against transformers' goldens: a prefill that keeps the prefix is
 * transformers' single pass over [queries ; prompt]; one that brings a kept prefix (the queries alone, or the
 * queries and the prompt's head, `Question:`) prefills only the rest. Either way: the same first-step logits
 * (within the goldens' 1e-4) and the same generated tokens as transformers, for every photo and generation setting,
 * prompts that share only part of the prefix's head, and left-padded batches whose rows bring prefixes of
 * different lengths.
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
const BOS: number = goldens.model.language_model.bos_token_id;
/** BOS `Question` `:` as the processor tokenizes every VQA prompt's start. */
const QUESTION_HEAD_IDS: number[] = goldens.prompts.vqa_what.input_ids.slice(0, 3);
const embeddings = new Map<string, { queryEmbeds: Float32Array; prefix: LanguagePrefix; questionPrefix: LanguagePrefix }>();

/**
 * The photo's query embeddings and two prefixes: the queries alone (from a caption call with keepPrefix) and the
 * queries + `Question:` (from a question call with prefixHead 'Question:').
 */
async function imageOf(photo: string): Promise<{ queryEmbeds: Float32Array; prefix: LanguagePrefix; questionPrefix: LanguagePrefix }> {
  let known = embeddings.get(photo);
  if (!known) {
    const [embedding] = await tinyRuntime().encodeImages([readFileSync(join(IMAGES, photo))]);
    const { queryEmbeds } = embedding;
    const [caption] = await tinyRuntime().generate([{ queryEmbeds, prompt: '' }], { maxNewTokens: 1 }, { keepPrefix: true });
    const [question] = await tinyRuntime().generate([{ queryEmbeds, prompt: goldens.prompts.vqa_what.text, prefixHead: 'Question:' }], { maxNewTokens: 1 }, { keepPrefix: true });
    known = { queryEmbeds, prefix: caption.prefix!, questionPrefix: question.prefix! };
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

  it('a caption keeps the queries of every layer, a question the queries and its head, in shared memory', async () => {
    const { prefix, questionPrefix } = await imageOf(photo);
    const lm = goldens.model.language_model;
    const queries = goldens.model.num_query_tokens;
    expect(prefix.length).toBe(queries);
    expect(prefix.tokenIds).toEqual([]);
    expect(prefix.keys).toHaveLength(lm.layers);
    expect(prefix.keys[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(languagePrefixBytes(prefix)).toBe(2 * lm.layers * queries * lm.hidden * 4);
    expect(questionPrefix.tokenIds).toEqual(QUESTION_HEAD_IDS);
    expect(questionPrefix.length).toBe(queries + 3);
    expect(languagePrefixBytes(questionPrefix)).toBe(2 * lm.layers * (queries + 3) * lm.hidden * 4);
    // Causal attention: the question prefix's query positions are the caption prefix's (up to float noise).
    expect(maxAbsDiff(questionPrefix.keys[1].subarray(0, prefix.keys[1].length), prefix.keys[1])).toBeLessThan(1e-5);
  });

  it.each(Object.entries(golden.first_step_logits))('first-step logits (%s) when keeping a prefix and after either kept prefix: top-5 ids equal, values within 1e-4', async (name, expected: any) => {
    const { queryEmbeds, prefix, questionPrefix } = await imageOf(photo);
    const prompt = name === 'caption_bos_only' ? '' : goldens.prompts[name].text;
    const promptIds = tinyRuntime().promptIds(prompt);
    const plain = await tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds }]).prefill();
    const keeping = await tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds, headLength: 3 }], { usePrefix: true }).prefill();
    const afterQueries = await tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds, prefix }]).prefill();
    const afterHead = await tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds, prefix: questionPrefix }]).prefill();
    for (const logits of [keeping, afterQueries, afterHead]) {
      const top5 = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]).slice(0, 5);
      expect(top5).toEqual(expected.top5.ids);
      expected.top5.values.forEach((v: number, i: number) => expect(Math.abs(logits[top5[i]] - v)).toBeLessThan(1e-4));
    }
    // Keeping a prefix does not change the prefill: it is the same single pass.
    expect(maxAbsDiff(keeping, plain)).toBe(0);
  });

  it.each(Object.entries(golden.generate))('generate %s after the queries-only prefix, then after the question prefix', async (setting, expected: any) => {
    const { queryEmbeds, prefix, questionPrefix } = await imageOf(photo);
    const prompt = promptOf(setting, expected, goldens.prompts);
    const options = generationOptionsOf(expected.kwargs, tinyRuntime().tokenizer.encode(prompt).ids.length);
    const [afterQueries] = await tinyRuntime().generate([{ queryEmbeds, prompt, prefix }], options, { keepPrefix: true });
    expectGoldenSequence(afterQueries, expected.outputs[0]);
    // A caption has no head to cover; any other prompt gets a longer prefix (BOS, by default) to keep instead.
    expect(afterQueries.prefix?.tokenIds).toEqual(prompt === '' ? undefined : [BOS]);
    const [afterHead] = await tinyRuntime().generate([{ queryEmbeds, prompt, prefix: questionPrefix, prefixHead: 'Question:' }], options, { keepPrefix: true });
    expectGoldenSequence(afterHead, expected.outputs[0]);
    // A question is covered by the question prefix; other prompts share its BOS only and keep a prefix of their own.
    expect(afterHead.prefix?.tokenIds).toEqual(prompt.startsWith('Question:') || prompt === '' ? undefined : [BOS]);
  });
});

describe('left-padded batch of 3 images × 3 prompts, with kept prefixes', () => {
  const batch = goldens.batch;

  const heads = batch.prompts.map((prompt: string) => (prompt.startsWith('Question:') ? 'Question:' : ''));

  function expectGoldenBatch(outputs: { sequence: number[]; text: string }[], setting: string): void {
    batch[setting].outputs.forEach((golden: GoldenOutput, row: number) => {
      const { tokens } = expectedNewTokens(golden, padTokenId);
      expect(outputs[row].sequence, `row ${row}`).toEqual([golden.sequence[0], ...tokens]);
      expect(outputs[row].text).toBe(golden.text_stripped);
    });
  }

  it.each(['greedy', 'greedy_eos_override', 'beam3'])('%s: row 0 brings its queries-only prefix, the others compute theirs', async (setting) => {
    const images = await Promise.all(batch.images.map((image: string) => imageOf(image)));
    const items = images.map((image, i) => ({ queryEmbeds: image.queryEmbeds, prompt: batch.prompts[i], prefixHead: heads[i], ...(i === 0 ? { prefix: image.prefix } : {}) }));
    const outputs = await tinyRuntime().generate(items, generationOptionsOf(batch[setting].kwargs, 0), { keepPrefix: true });
    expectGoldenBatch(outputs, setting);
    // Every row gets a prefix covering its own head: row 0's extends the queries-only one it brought.
    expect(outputs.map((output) => output.prefix?.tokenIds)).toEqual([QUESTION_HEAD_IDS, [BOS], QUESTION_HEAD_IDS]);
    outputs.forEach((output, row) => expect(maxAbsDiff(output.prefix!.keys[0].subarray(0, images[row].prefix.keys[0].length), images[row].prefix.keys[0])).toBeLessThan(1e-5));
  });

  it.each(['greedy', 'greedy_eos_override', 'beam3'])('%s: every row brings a question prefix; the raw prompt shares only its BOS', async (setting) => {
    const images = await Promise.all(batch.images.map((image: string) => imageOf(image)));
    const items = images.map((image, i) => ({ queryEmbeds: image.queryEmbeds, prompt: batch.prompts[i], prefixHead: heads[i], prefix: image.questionPrefix }));
    const outputs = await tinyRuntime().generate(items, generationOptionsOf(batch[setting].kwargs, 0), { keepPrefix: true });
    expectGoldenBatch(outputs, setting);
    expect(outputs.map((output) => output.prefix)).toEqual([undefined, undefined, undefined]);
  });
});

describe('prefix bookkeeping', () => {
  it('rows about the same image each get a prefix of their own head, with the same query positions', async () => {
    const { queryEmbeds } = await imageOf('coffee.png');
    const session = tinyRuntime().decoderSessionForIds(
      [
        { queryEmbeds, promptIds: tinyRuntime().promptIds(''), headLength: 3 },
        { queryEmbeds, promptIds: tinyRuntime().promptIds('Question: what is this? Answer:'), headLength: 3 },
      ],
      { usePrefix: true },
    ) as OptDecoderSession;
    await session.prefill();
    const [caption, question] = session.newPrefixes;
    // A caption's only token is the one the prefill must run, so its prefix stops at the queries.
    expect(caption!.tokenIds).toEqual([]);
    expect(question!.tokenIds).toEqual(QUESTION_HEAD_IDS);
    expect(maxAbsDiff(question!.values[1].subarray(0, caption!.values[1].length), caption!.values[1])).toBeLessThan(1e-5);
  });

  it('a prefix that diverges from the prompt after BOS is used as far as they agree', async () => {
    const { queryEmbeds, questionPrefix } = await imageOf('coffee.png');
    const promptIds = tinyRuntime().promptIds(goldens.prompts.prefix.text);
    const [plain, kept] = await Promise.all([
      tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds }]).prefill(),
      tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds, prefix: questionPrefix }]).prefill(),
    ]);
    expect(maxAbsDiff(plain, kept)).toBeLessThan(1e-4);
  });

  it('refuses a prefix of another shape, or whose token ids do not match its length, with INVALID_INPUT', async () => {
    const { queryEmbeds, prefix, questionPrefix } = await imageOf('coffee.png');
    const short = { ...prefix, keys: prefix.keys.slice(1) };
    const miscounted = { ...questionPrefix, tokenIds: [BOS] };
    for (const bad of [short, miscounted]) {
      expect(() => tinyRuntime().decoderSessionForIds([{ queryEmbeds, promptIds: [2], prefix: bad }])).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    }
  });

  it('T5 refuses keepPrefix with INVALID_INPUT: its encoder reads queries and prompt together', async () => {
    const [embedding] = await tinyT5().encodeImages([readFileSync(join(IMAGES, 'coffee.png'))]);
    await expect(tinyT5().generate([{ queryEmbeds: embedding.queryEmbeds, prompt: '' }], {}, { keepPrefix: true })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });
});
