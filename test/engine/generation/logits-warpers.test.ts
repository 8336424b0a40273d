import { describe, expect, it } from 'vitest';
import { applySamplingWarpers, applyTemperature, applyTopK, applyTopP } from '../../../engine/generation/logits-warpers.ts';
import { resolveGenerationOptions } from '../../../engine/generation/generation-options.ts';
import type { RandomSource } from '../../../engine/generation/random.ts';
import { argmax, sampleToken } from '../../../engine/generation/sampler.ts';

const NEG = -Infinity;
const fixed = (u: number): RandomSource => ({ nextFloat: () => u, nextUint32: () => Math.floor(u * 2 ** 32) });

describe('Temperature', () => {
  it.each([
    { scores: [1, 2, -1, 0], t: 0.5, expected: [2, 4, -2, 0] },
    { scores: [1, 2, -1, 0], t: 2, expected: [0.5, 1, -0.5, 0] },
  ])('$scores / $t', ({ scores, t, expected }) => {
    const row = Float32Array.from(scores);
    applyTemperature(row, t);
    expect([...row]).toEqual(expected);
  });
});

describe('TopK (keeps every score >= the k-th largest)', () => {
  it.each([
    { scores: [1, 4, 2, 3], k: 2, expected: [NEG, 4, NEG, 3] },
    { scores: [1, 3, 2, 3], k: 2, expected: [NEG, 3, NEG, 3] },
    { scores: [1, 3, 3, 0], k: 2, expected: [NEG, 3, 3, NEG] },
    { scores: [1, 4, 2, 3], k: 1, expected: [NEG, 4, NEG, NEG] },
    { scores: [1, 4, 2, 3], k: 10, expected: [1, 4, 2, 3] },
  ])('k=$k on $scores', ({ scores, k, expected }) => {
    const row = Float32Array.from(scores);
    applyTopK(row, k);
    expect([...row]).toEqual(expected);
  });
});

describe('TopP (drops the ascending prefix whose cumulative probability is <= 1 - top_p)', () => {
  const probabilities = [0.1, 0.2, 0.3, 0.4]; // ascending cumulative: 0.1, 0.3, 0.6, 1.0
  it.each([
    { topP: 0.5, kept: [2, 3] }, // remove cum <= 0.5: 0.1, 0.3
    { topP: 0.8, kept: [1, 2, 3] }, // remove cum <= 0.2: 0.1
    { topP: 0.95, kept: [0, 1, 2, 3] }, // 0.1 > 0.05
    { topP: 0.05, kept: [3] }, // 0.6 <= 0.95 removes three; the best token always stays
    { topP: 1, kept: [0, 1, 2, 3] },
  ])('top_p $topP keeps $kept', ({ topP, kept }) => {
    const logits = probabilities.map(Math.log);
    const row = Float32Array.from([logits[2], logits[0], logits[3], logits[1]]); // shuffled: tokens 0..3 = p .3 .1 .4 .2
    const tokenOfProbIndex = [1, 3, 0, 2];
    applyTopP(row, topP);
    const keptTokens = kept.map((i) => tokenOfProbIndex[i]);
    expect([...row].map((v, token) => (keptTokens.includes(token) ? v : NEG))).toEqual([...row]);
    expect([...row].filter((v) => v !== NEG)).toHaveLength(kept.length);
  });

  it('ignores tokens already at -inf', () => {
    const row = Float32Array.from([NEG, Math.log(0.5), Math.log(0.5), NEG]);
    applyTopP(row, 0.9);
    expect([...row]).toEqual([NEG, Math.fround(Math.log(0.5)), Math.fround(Math.log(0.5)), NEG]);
  });
});

describe('applySamplingWarpers order: temperature, then top-k, then top-p', () => {
  it('top-k 2 then top-p on the renormalised survivors', () => {
    // temperature 0.5 doubles: logits ln(.1),ln(.2),ln(.3),ln(.4) → probs ∝ .01,.04,.09,.16; top-k 2 keeps tokens 2,3;
    // then probabilities .09/.25 = .36 and .64: top_p 0.6 removes cum <= 0.4 → token 2 goes.
    const options = resolveGenerationOptions(
      { doSample: true, temperature: 0.5, topK: 2, topP: 0.6 },
      { eosTokenIds: [0], padTokenId: 0 },
    );
    const row = Float32Array.from([0.1, 0.2, 0.3, 0.4].map(Math.log));
    applySamplingWarpers(row, options);
    expect([...row].map((v) => v !== NEG)).toEqual([false, false, false, true]);
  });

  it('topK 0 disables top-k', () => {
    const options = resolveGenerationOptions({ doSample: true, topK: 0 }, { eosTokenIds: [0], padTokenId: 0 });
    const row = Float32Array.from([1, 2, 3, 4]);
    applySamplingWarpers(row, options);
    expect([...row]).toEqual([1, 2, 3, 4]);
  });
});

describe('sampler', () => {
  it('argmax takes the first maximum (torch.argmax)', () => {
    expect(argmax(Float32Array.from([1, 5, 5, 2]))).toBe(1);
    expect(argmax(Float32Array.from([NEG, NEG, -3, NEG]))).toBe(2);
  });

  it.each([
    { u: 0.05, token: 0 }, // cumulative .1
    { u: 0.15, token: 1 }, // .1 <= u < .3
    { u: 0.5, token: 2 }, // .3 <= u < .6
    { u: 0.65, token: 3 },
    { u: 0.999999, token: 3 },
  ])('draws by inverse CDF: u=$u → $token', ({ u, token }) => {
    expect(sampleToken(Float32Array.from([0.1, 0.2, 0.3, 0.4].map(Math.log)), fixed(u))).toBe(token);
  });

  it('never draws a -inf token', () => {
    const row = Float32Array.from([NEG, 0, NEG, 0]);
    expect(sampleToken(row, fixed(0))).toBe(1);
    expect(sampleToken(row, fixed(0.7))).toBe(3);
  });
});
