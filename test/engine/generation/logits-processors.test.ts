import { describe, expect, it } from 'vitest';
import {
  applyLogitsProcessors,
  applyNoRepeatNgram,
  applyRepetitionPenalty,
  suppressEosBeforeMinLength,
} from '../../../engine/generation/logits-processors.ts';
import { resolveGenerationOptions } from '../../../engine/generation/generation-options.ts';

const NEG = -Infinity;

describe('RepetitionPenalty (HF: divide scores >= 0, multiply scores < 0, each generated token once)', () => {
  it.each([
    { scores: [2, -2, 1, 0.5], generated: [0, 1, 1], penalty: 2, expected: [1, -4, 1, 0.5] },
    { scores: [3, -3, 0, 1], generated: [0, 1, 2], penalty: 1.5, expected: [2, -4.5, 0, 1] },
    { scores: [3, -3, 0, 1], generated: [], penalty: 1.5, expected: [3, -3, 0, 1] },
    { scores: [4, -1, 2, 8], generated: [3, 3, 3], penalty: 0.5, expected: [4, -1, 2, 16] },
  ])('$scores after $generated, penalty $penalty → $expected', ({ scores, generated, penalty, expected }) => {
    const row = Float32Array.from(scores);
    applyRepetitionPenalty(row, generated, penalty);
    expect([...row]).toEqual(expected);
  });
});

describe('NoRepeatNGram', () => {
  it.each([
    { n: 2, generated: [1, 2, 1], banned: [2] }, // prefix (1): seen (1,2)
    { n: 2, generated: [1, 2, 3, 1, 3], banned: [1] }, // prefix (3): seen (3,1)
    { n: 2, generated: [1, 2, 1, 3, 1], banned: [2, 3] }, // prefix (1): seen (1,2), (1,3)
    { n: 3, generated: [1, 2, 1, 2], banned: [1] }, // prefix (1,2): seen (1,2,1)
    { n: 3, generated: [1, 2, 3], banned: [] },
    { n: 1, generated: [0, 3], banned: [0, 3] }, // unigrams: every generated token
    { n: 3, generated: [1], banned: [] }, // fewer than n-1 tokens
    { n: 2, generated: [], banned: [] },
  ])('n=$n after $generated bans $banned', ({ n, generated, banned }) => {
    const row = new Float32Array(4).fill(1);
    applyNoRepeatNgram(row, generated, n);
    expect([...row]).toEqual([0, 1, 2, 3].map((t) => (banned.includes(t) ? NEG : 1)));
  });
});

describe('MinNewTokens (several EOS ids)', () => {
  it.each([
    { count: 0, min: 2, expected: [1, NEG, 1, NEG] },
    { count: 1, min: 2, expected: [1, NEG, 1, NEG] },
    { count: 2, min: 2, expected: [1, 1, 1, 1] },
    { count: 5, min: 2, expected: [1, 1, 1, 1] },
  ])('$count generated, min $min → $expected', ({ count, min, expected }) => {
    const row = new Float32Array(4).fill(1);
    suppressEosBeforeMinLength(row, count, min, [1, 3]);
    expect([...row]).toEqual(expected);
  });
});

describe('applyLogitsProcessors', () => {
  it('runs repetition penalty, then no-repeat n-gram, then min-new-tokens', () => {
    const options = resolveGenerationOptions(
      { repetitionPenalty: 2, noRepeatNgramSize: 2, minNewTokens: 4, eosTokenId: 3 },
      { eosTokenIds: [9], padTokenId: 0 },
    );
    const row = Float32Array.from([4, -2, 6, 5]);
    applyLogitsProcessors(row, [1, 2, 1], options);
    // penalty: 1 → -4, 2 → 3; n-gram (1,2) bans 2; 3 generated < 4 → EOS 3 banned.
    expect([...row]).toEqual([4, -4, NEG, NEG]);
  });

  it('lets the penalties see the prefix (an encoder-decoder decoder start token) but not count it as a new token', () => {
    const options = resolveGenerationOptions({ repetitionPenalty: 2, noRepeatNgramSize: 2, minNewTokens: 2, eosTokenId: 3 }, { eosTokenIds: [9], padTokenId: 0 });
    const row = Float32Array.from([4, -2, 6, 5]);
    applyLogitsProcessors(row, [2, 0], options, [0]);
    // ids [0, 2, 0]: penalty on 0 and 2; the bigram (0, 2) bans 2 after the last 0; 2 new tokens = min → EOS allowed.
    expect([...row]).toEqual([2, -2, NEG, 5]);
  });

  it('does nothing with default options', () => {
    const options = resolveGenerationOptions({}, { eosTokenIds: [3], padTokenId: 0 });
    const row = Float32Array.from([4, -2, 6, 5]);
    applyLogitsProcessors(row, [1, 2, 1, 2], options);
    expect([...row]).toEqual([4, -2, 6, 5]);
  });
});
