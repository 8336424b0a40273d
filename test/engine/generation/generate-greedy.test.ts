import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { generate } from '../../../engine/generation/generate.ts';
import { resolveGenerationOptions } from '../../../engine/generation/generation-options.ts';
import type { RandomSource } from '../../../engine/generation/random.ts';
import { sampleSearch } from '../../../engine/generation/sample-search.ts';
import { FakeDecoderSession, logProbs, type LogitsTable } from './fake-decoder-session.ts';

const EOS = 3;
const PAD = 0;
const model = { eosTokenIds: [EOS], padTokenId: PAD };
const options = (user: Record<string, unknown>) => resolveGenerationOptions(user, model);

/** Logits by last token only (null = prompt). */
function byLast(map: Record<string, number[]>): LogitsTable {
  return (_row, last) => map[String(last)];
}

async function run(table: LogitsTable, user: Record<string, unknown>, batchSize = 1) {
  const session = new FakeDecoderSession(4, batchSize, table);
  const tokens: [number, number][] = [];
  const result = await generate(session, {
    options: options(user),
    batchSize,
    onToken: (row, token) => tokens.push([row, token]),
  });
  return { ...result, session, tokens };
}

describe('greedy', () => {
  const loop = byLast({ null: [0, 2, 1, -1], 1: [3, 0, 0, 1], 0: [0, 5, 0, 0] });

  it('stops at maxNewTokens', async () => {
    const { sequences, finishReasons, session, tokens } = await run(loop, { maxNewTokens: 5 });
    expect(sequences).toEqual([[1, 0, 1, 0, 1]]);
    expect(finishReasons).toEqual(['length']);
    expect(tokens).toEqual([[0, 1], [0, 0], [0, 1], [0, 0], [0, 1]]);
    // prefill + 4 steps: no model call after the last token.
    expect(session.calls.map((c) => c.kind)).toEqual(['prefill', 'step', 'step', 'step', 'step']);
  });

  it('stops on EOS and keeps it', async () => {
    const table = byLast({ null: [0, 2, 1, -1], 1: [3, 0, 0, 1], 0: [0, 0, 0, 9] });
    const { sequences, finishReasons } = await run(table, { maxNewTokens: 10 });
    expect(sequences).toEqual([[1, 0, EOS]]);
    expect(finishReasons).toEqual(['eos']);
  });

  it('takes the first maximum on ties', async () => {
    const { sequences } = await run(byLast({ null: [2, 5, 5, 0] }), { maxNewTokens: 1 });
    expect(sequences).toEqual([[1]]);
  });

  it('repetition penalty sees only the generated tokens', async () => {
    // After 1: token 1 has 1.9 → 0.95 with penalty 2, below token 2's 1.5.
    const table = byLast({ null: [0, 2, 1, -1], 1: [0, 1.9, 1.5, -5], 2: [0, 0, 0, 9] });
    expect((await run(table, { maxNewTokens: 4 })).sequences).toEqual([[1, 1, 1, 1]]);
    expect((await run(table, { maxNewTokens: 4, repetitionPenalty: 2 })).sequences).toEqual([[1, 2, EOS]]);
  });

  it('no_repeat_ngram_size 2 bans a repeated bigram', async () => {
    const table = byLast({ null: [0, 2, 1, -1], 1: [1, 0, 5, -1], 2: [0, 5, 0, 0], 0: [0, 0, 0, 9] });
    expect((await run(table, { maxNewTokens: 5 })).sequences).toEqual([[1, 2, 1, 2, 1]]);
    expect((await run(table, { maxNewTokens: 5, noRepeatNgramSize: 2 })).sequences).toEqual([[1, 2, 1, 0, EOS]]);
  });

  it('min_new_tokens suppresses every EOS id until reached (counting from 0)', async () => {
    const table = byLast({ null: [0, 1, 5, 4], 1: [0, 1, 0, 6] });
    expect((await run(table, { maxNewTokens: 5, eosTokenId: [2, 3] })).sequences).toEqual([[2]]);
    const constrained = await run(table, { maxNewTokens: 5, eosTokenId: [2, 3], minNewTokens: 2 });
    expect(constrained.sequences).toEqual([[1, 1, 3]]);
    expect(constrained.finishReasons).toEqual(['eos']);
  });

  it('eos override replaces the model EOS', async () => {
    const table = byLast({ null: [0, 0, 0, 9], 3: [0, 0, 9, 0], 2: [9, 0, 0, 0] });
    const { sequences, finishReasons } = await run(table, { maxNewTokens: 5, eosTokenId: 2 });
    expect(sequences).toEqual([[3, 2]]);
    expect(finishReasons).toEqual(['eos']);
  });
});

describe('greedy batch', () => {
  // Row 0 ends at once; row 1 loops 1,0,1,0; row 2 ends after two tokens.
  const table: LogitsTable = (row, last) => {
    if (row === 0) return [0, 0, 0, 9];
    if (row === 1) return last === 1 ? [5, 0, 0, 0] : [0, 5, 0, 0];
    return last === null ? [0, 0, 5, 0] : [0, 0, 0, 5];
  };

  it('finished rows are dropped with reorder, produce no pads, and the others decode as alone', async () => {
    const { sequences, finishReasons, session, tokens } = await run(table, { maxNewTokens: 4 }, 3);
    expect(sequences).toEqual([[EOS], [1, 0, 1, 0], [2, EOS]]);
    expect(finishReasons).toEqual(['eos', 'length', 'eos']);
    expect(session.calls).toEqual([
      { kind: 'prefill', rows: 3 },
      { kind: 'reorder', source: [1, 2] },
      { kind: 'step', tokens: [1, 2] },
      { kind: 'reorder', source: [0] },
      { kind: 'step', tokens: [0] },
      { kind: 'step', tokens: [1] },
    ]);
    expect(tokens).toEqual([[0, EOS], [1, 1], [2, 2], [1, 0], [2, EOS], [1, 1], [1, 0]]);
    expect(tokens.filter(([row]) => row === 0)).toEqual([[0, EOS]]); // nothing after its EOS, no pad

    const alone = await run((_r, last) => table(1, last, 0), { maxNewTokens: 4 }, 1);
    expect(alone.sequences[0]).toEqual(sequences[1]);
  });
});

describe('sampling', () => {
  const probs = logProbs([0.1, 0.2, 0.3, 0.4]);
  const fixed = (...draws: number[]): RandomSource => {
    let i = 0;
    return { nextFloat: () => draws[i++ % draws.length], nextUint32: () => 0 };
  };

  it('draws from softmax(processed scores) with the injected RNG', async () => {
    const session = new FakeDecoderSession(4, 1, () => probs);
    const request = { options: options({ doSample: true, maxNewTokens: 3, eosTokenId: 9 }), batchSize: 1 };
    // inverse CDF over .1,.2,.3,.4: 0.05 → 0, 0.5 → 2, 0.15 → 1
    expect((await sampleSearch(session, request, fixed(0.05, 0.5, 0.15))).sequences).toEqual([[0, 2, 1]]);
  });

  it('top-k 1 is greedy; the same seed repeats the same tokens', async () => {
    const table: LogitsTable = (_r, last, fed) => logProbs([0.25, 0.25, 0.25, 0.25]).map((v, t) => v + (t === ((fed + (last ?? 0)) % 3) ? 0.5 : 0));
    const sample = (user: Record<string, unknown>) =>
      generate(new FakeDecoderSession(4, 1, table), { options: options({ doSample: true, maxNewTokens: 12, eosTokenId: 9, ...user }), batchSize: 1 });
    const greedy = await generate(new FakeDecoderSession(4, 1, table), { options: options({ maxNewTokens: 12, eosTokenId: 9 }), batchSize: 1 });
    expect((await sample({ topK: 1, seed: 1 })).sequences).toEqual(greedy.sequences);
    const a = await sample({ seed: 1234 });
    const b = await sample({ seed: 1234 });
    expect(a.sequences).toEqual(b.sequences);
    const others = await Promise.all([1, 2, 3, 4, 5].map((seed) => sample({ seed })));
    expect(new Set(others.map((r) => JSON.stringify(r.sequences))).size).toBeGreaterThan(1);
  });
});

describe('abort and request checks', () => {
  const table = byLast({ null: [0, 5, 0, 0], 1: [0, 5, 0, 0] });

  it('stops between steps with ABORTED', async () => {
    const controller = new AbortController();
    const session = new FakeDecoderSession(4, 1, table);
    const promise = generate(session, {
      options: options({ maxNewTokens: 10 }),
      batchSize: 1,
      signal: controller.signal,
      onToken: () => controller.abort(),
    });
    await expect(promise).rejects.toMatchObject({ code: ErrorCode.Aborted });
    await expect(promise).rejects.toBeInstanceOf(GlanceError);
    expect(session.calls.map((c) => c.kind)).toEqual(['prefill']);
  });

  it('does not start when already aborted', async () => {
    const session = new FakeDecoderSession(4, 1, table);
    const promise = generate(session, { options: options({}), batchSize: 1, signal: AbortSignal.abort() });
    await expect(promise).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(session.calls).toEqual([]);
  });

  it('rejects a bad batch size and wrongly sized logits', async () => {
    await expect(generate(new FakeDecoderSession(4, 1, table), { options: options({}), batchSize: 0 })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    const wrong = { vocabSize: 5, prefill: async () => new Float32Array(4), step: async () => new Float32Array(4), reorder: async () => {} };
    await expect(generate(wrong, { options: options({}), batchSize: 1 })).rejects.toMatchObject({ code: ErrorCode.RuntimeFailure });
  });
});

describe('prefixTokens (encoder-decoder: the decoder start token)', () => {
  it('are seen by the repetition penalty but not counted by maxNewTokens', async () => {
    const table = byLast({ null: [5, 4, 0, -9], 0: [5, 4, 0, -9], 1: [5, 4, 0, -9] });
    const plain = await generate(new FakeDecoderSession(4, 1, table), { options: options({ maxNewTokens: 2, repetitionPenalty: 2 }), batchSize: 1 });
    expect(plain.sequences).toEqual([[0, 1]]);
    const prefixed = await generate(new FakeDecoderSession(4, 1, table), { options: options({ maxNewTokens: 2, repetitionPenalty: 2 }), batchSize: 1, prefixTokens: [0] });
    // token 0 is already in the ids: 5 / 2 < 4, so 1 wins, then both were seen: 2.5 vs 2 → 0.
    expect(prefixed.sequences).toEqual([[1, 0]]);
  });
});

