import { describe, expect, it } from 'vitest';
import { BeamHypotheses } from '../../../engine/generation/beam-hypotheses.ts';
import { BeamSearchScorer } from '../../../engine/generation/beam-scorer.ts';

function candidates(scores: number[], tokens: number[], beams: number[]) {
  return { scores: Float32Array.from(scores), tokens: Int32Array.from(tokens), beams: Int32Array.from(beams), count: scores.length };
}

describe('BeamHypotheses.add (score = sum_logprobs / generated_len ** length_penalty)', () => {
  it('keeps the numBeams best, evicting the worst and tracking the new worst', () => {
    const hyps = new BeamHypotheses(2, 1, false, 10);
    hyps.add([1, 2], -4, 2); // -2
    expect(hyps.worstScore).toBe(-2);
    hyps.add([3], -3, 1); // -3
    expect(hyps.worstScore).toBe(-3);
    hyps.add([4, 5, 6], -3, 3); // -1 > -3: evicts [3]
    expect(hyps.beams.map((b) => b.tokens)).toEqual([[1, 2], [4, 5, 6]]);
    expect(hyps.worstScore).toBe(-2);
    hyps.add([7], -5, 1); // -5 < worst: rejected
    expect(hyps.size).toBe(2);
    expect(hyps.best().tokens).toEqual([4, 5, 6]);
  });

  it('applies the length penalty exponent', () => {
    const hyps = new BeamHypotheses(3, 2, false, 10);
    hyps.add([1, 2], -8, 2); // -8 / 4
    hyps.add([1, 2, 3, 4], -8, 4); // -8 / 16
    expect(hyps.beams.map((b) => b.score)).toEqual([-2, -0.5]);
    const negative = new BeamHypotheses(2, -1, false, 10);
    negative.add([1, 2], -3, 2); // -3 * 2
    expect(negative.beams[0].score).toBe(-6);
  });

  it('ties: an equal score does not enter a full list, eviction drops the earliest worst, best() takes the latest best', () => {
    const full = new BeamHypotheses(2, 1, false, 10);
    full.add([1], -1, 1);
    full.add([2], -1, 1);
    full.add([3], -1, 1);
    expect(full.beams.map((b) => b.tokens)).toEqual([[1], [2]]);
    expect(full.best().tokens).toEqual([2]);

    const evict = new BeamHypotheses(2, 1, false, 10);
    evict.add([1], -2, 1);
    evict.add([2], -2, 1);
    evict.add([3], -1, 1);
    expect(evict.beams.map((b) => b.tokens)).toEqual([[2], [3]]);
    expect(evict.worstScore).toBe(-2);
  });
});

describe('BeamHypotheses.isDone', () => {
  function twoHyps(earlyStopping: boolean | 'never', lengthPenalty = 1): BeamHypotheses {
    const hyps = new BeamHypotheses(2, lengthPenalty, earlyStopping, 10);
    hyps.add([1, 2], -4, 2);
    hyps.add([3], -3, 1);
    return hyps;
  }

  it('is never done before numBeams hypotheses exist', () => {
    for (const mode of [true, false, 'never'] as const) {
      const hyps = new BeamHypotheses(2, 1, mode, 10);
      hyps.add([1], -1, 1);
      expect(hyps.isDone(-100, 3)).toBe(false);
    }
  });

  it('early_stopping true: done as soon as numBeams hypotheses exist', () => {
    expect(twoHyps(true).isDone(0, 3)).toBe(true);
  });

  it.each([
    // worst = -3; false: best / cur_len; "never" with lp > 0: best / max_length (10)
    { mode: false, best: -1, cur: 3, done: false }, // -0.333
    { mode: false, best: -10, cur: 3, done: true }, // -3.33
    { mode: false, best: -9, cur: 3, done: true }, // -3 (>=)
    { mode: 'never', best: -20, cur: 3, done: false }, // -2
    { mode: 'never', best: -40, cur: 3, done: true }, // -4
  ] as const)('early_stopping $mode, best $best, cur_len $cur → $done', ({ mode, best, cur, done }) => {
    expect(twoHyps(mode).isDone(best, cur)).toBe(done);
  });

  it('"never" with length_penalty <= 0 bounds with cur_len', () => {
    const hyps = twoHyps('never', -1); // scores -4*2 = -8 and -3*1 = -3, worst -8
    expect(hyps.isDone(-2, 3)).toBe(false); // -2 * 3 = -6 > -8
    expect(hyps.isDone(-3, 3)).toBe(true); // -9
  });

  it('subtracts the decoder prompt length', () => {
    expect(twoHyps(false).isDone(-10, 5, 2)).toBe(true); // -10/3
    expect(twoHyps(false).isDone(-10, 5, 0)).toBe(false); // -10/5 = -2 > -3
  });
});

describe('BeamSearchScorer', () => {
  const config = { batchSize: 1, numBeams: 2, lengthPenalty: 1, earlyStopping: false as const, maxLength: 5, eosTokenIds: [3] };

  it('process: EOS in the top numBeams becomes a hypothesis (generated_len = tokens + 1), others fill the beams', () => {
    const scorer = new BeamSearchScorer(config);
    const next = scorer.process(0, [[5], [6]], candidates([-1, -2, -3, -4], [3, 0, 3, 1], [1, 0, 0, 1]));
    expect([...next.scores]).toEqual([-2, -4]);
    expect([...next.tokens]).toEqual([0, 1]);
    expect([...next.sourceBeams]).toEqual([0, 1]);
    // rank 0 EOS from beam 1 → [6] with -1 / 2; the EOS at rank 2 is ignored.
    expect(scorer.hypotheses[0].beams).toEqual([{ score: -0.5, tokens: [6] }]);
    expect(scorer.done[0]).toBe(false);

    // finalize: running [5,0] → -1 enters, [6,1] → -2 does not; the best [6] ended on EOS → eos appended.
    const [final] = scorer.finalize([{ tokens: [[5, 0], [6, 1]], scores: [-2, -4] }]);
    expect(final).toEqual({ tokens: [6, 3], endedWithEos: true });
  });

  it('process marks a row done and finalize skips it', () => {
    const scorer = new BeamSearchScorer({ ...config, earlyStopping: true });
    scorer.process(0, [[5], [6]], candidates([-1, -1.5, -2, -4], [3, 3, 0, 1], [0, 1, 0, 1]));
    expect(scorer.done[0]).toBe(true);
    expect(scorer.isDone).toBe(true);
    expect(scorer.finalize([null])).toEqual([{ tokens: [5, 3], endedWithEos: true }]);
  });

  it('finalize appends eos[0] only below min(longest + 1, max_length), per row', () => {
    const scorer = new BeamSearchScorer({ ...config, batchSize: 2, eosTokenIds: [4, 3] });
    scorer.hypotheses[0].add([7], -0.1, 2);
    scorer.hypotheses[0].add([8], -0.2, 2);
    scorer.done[0] = true;
    const finals = scorer.finalize([null, { tokens: [[1, 1, 1, 1, 1], [2, 2, 2, 2, 2]], scores: [-1, -2] }]);
    expect(finals).toEqual([
      { tokens: [7, 4], endedWithEos: true },
      { tokens: [1, 1, 1, 1, 1], endedWithEos: false },
    ]);
  });

  it('rejects candidates with too few non-EOS tokens', () => {
    const scorer = new BeamSearchScorer(config);
    expect(() => scorer.process(0, [[5], [6]], candidates([-1, -2, -3, -4], [3, 3, 3, 0], [0, 1, 0, 1]))).toThrow(/EOS/);
  });
});
