import { describe, expect, it } from 'vitest';
import { generate } from '../../../engine/generation/generate.ts';
import { resolveGenerationOptions, type GenerationOptions } from '../../../engine/generation/generation-options.ts';
import { FakeDecoderSession, logProbs, type LogitsTable } from './fake-decoder-session.ts';

const f32 = Math.fround;

/** A fixed pseudo-random logits table over (input row, last token, tokens fed). */
function hashedTable(vocab: number, salt: number, eosBoost: (fed: number) => number, eos: number[]): LogitsTable {
  return (row, last, fed) =>
    Array.from({ length: vocab }, (_, t) => {
      const x = Math.sin(row * 12.9898 + ((last ?? -1) + 1) * 78.233 + fed * 37.719 + t * 4.581 + salt * 1.618) * 43758.5453;
      return (x - Math.floor(x)) * 6 - 3 + (eos.includes(t) ? eosBoost(fed) : 0);
    });
}

function logSoftmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const lse = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0));
  return logits.map((v) => v - max - lse);
}

/**
 * A literal, unoptimised transcription of HF 4.45 `_beam_search` + `BeamSearchScorer` + `BeamHypotheses`: every row of
 * batch·beams always present, done rows fed pad from index 0, full sort for top-k, padded output matrix. Returns each
 * row of HF's output cut to the hypothesis (+ the EOS finalize appends).
 */
function referenceBeamSearch(
  table: LogitsTable,
  vocab: number,
  batchSize: number,
  o: GenerationOptions,
): { tokens: number[]; appendedEos: boolean }[] {
  const nb = o.numBeams;
  const eos = o.eosTokenIds;
  const keep = Math.max(2, 1 + eos.length) * nb;
  let ids: number[][] = Array.from({ length: batchSize * nb }, () => []);
  let beamScores: number[] = Array.from({ length: batchSize * nb }, (_, r) => (r % nb === 0 ? 0 : -1e9));
  type Hyps = { beams: [number, number[]][]; worst: number };
  const hyps: Hyps[] = Array.from({ length: batchSize }, () => ({ beams: [], worst: 1e9 }));
  const done = new Array<boolean>(batchSize).fill(false);
  const add = (h: Hyps, tokens: number[], sum: number, len: number) => {
    const score = sum / len ** o.lengthPenalty;
    if (h.beams.length < nb || score > h.worst) {
      h.beams.push([score, tokens]);
      if (h.beams.length > nb) {
        const sorted = h.beams.map(([s], idx) => [s, idx]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        h.beams.splice(sorted[0][1], 1);
        h.worst = sorted[1][0];
      } else h.worst = Math.min(score, h.worst);
    }
  };
  const isDone = (h: Hyps, best: number, cur: number) => {
    if (h.beams.length < nb) return false;
    if (o.earlyStopping === true) return true;
    if (o.earlyStopping === false) return h.worst >= best / cur ** o.lengthPenalty;
    return h.worst >= best / (o.lengthPenalty > 0 ? o.maxNewTokens : cur) ** o.lengthPenalty;
  };
  const processors = (scores: number[], input: number[]) => {
    if (o.repetitionPenalty !== 1) {
      const gathered = input.map((t) => scores[t]);
      input.forEach((t, i) => (scores[t] = f32(gathered[i] < 0 ? gathered[i] * o.repetitionPenalty : gathered[i] / o.repetitionPenalty)));
    }
    const n = o.noRepeatNgramSize;
    if (n > 0 && input.length + 1 >= n) {
      const ngrams = new Map<string, number[]>();
      for (let i = 0; i + n <= input.length; i++) {
        const key = input.slice(i, i + n - 1).join(',');
        ngrams.set(key, [...(ngrams.get(key) ?? []), input[i + n - 1]]);
      }
      for (const t of ngrams.get(input.slice(input.length + 1 - n).join(',')) ?? []) scores[t] = -Infinity;
    }
    if (input.length < o.minNewTokens) for (const t of eos) scores[t] = -Infinity;
  };
  let cur = 0;
  for (;;) {
    const nextScores: number[] = [];
    const nextTokens: number[] = [];
    const nextIndices: number[] = [];
    for (let b = 0; b < batchSize; b++) {
      if (done[b]) {
        for (let j = 0; j < nb; j++) nextScores.push(0), nextTokens.push(o.padTokenId), nextIndices.push(0);
        continue;
      }
      const flat: number[] = [];
      for (let j = 0; j < nb; j++) {
        const r = b * nb + j;
        const input = ids[r];
        const scores = logSoftmax(table(b, input.length ? input[input.length - 1] : null, cur)).map(f32);
        processors(scores, input);
        for (const v of scores) flat.push(f32(v + beamScores[r]));
      }
      const order = flat.map((_, i) => i).sort((x, y) => flat[y] - flat[x] || x - y).slice(0, keep);
      let filled = 0;
      for (let rank = 0; rank < order.length && filled < nb; rank++) {
        const token = order[rank] % vocab;
        const src = b * nb + Math.floor(order[rank] / vocab);
        if (eos.includes(token)) {
          if (rank >= nb) continue;
          add(hyps[b], [...ids[src]], flat[order[rank]], cur + 1);
        } else {
          nextScores.push(flat[order[rank]]), nextTokens.push(token), nextIndices.push(src);
          filled++;
        }
      }
      done[b] = done[b] || isDone(hyps[b], flat[order[0]], cur + 1);
    }
    ids = nextIndices.map((src, r) => [...ids[src], nextTokens[r]]);
    beamScores = nextScores;
    cur++;
    if (done.every(Boolean) || cur >= o.maxNewTokens) break;
  }
  for (let b = 0; b < batchSize; b++) {
    if (done[b]) continue;
    for (let j = 0; j < nb; j++) add(hyps[b], ids[b * nb + j], beamScores[b * nb + j], ids[b * nb + j].length);
  }
  const best = hyps.map((h) => [...h.beams].sort((x, y) => x[0] - y[0]).pop()![1]);
  const sentMax = Math.min(Math.max(...best.map((t) => t.length)) + 1, o.maxNewTokens);
  return best.map((tokens) =>
    tokens.length < sentMax ? { tokens: [...tokens, eos[0]], appendedEos: true } : { tokens, appendedEos: false },
  );
}

async function runBeam(table: LogitsTable, vocab: number, batchSize: number, options: GenerationOptions) {
  const session = new FakeDecoderSession(vocab, batchSize, table);
  const streamed: [number, number][] = [];
  const result = await generate(session, { options, batchSize, onToken: (row, token) => streamed.push([row, token]) });
  return { ...result, session, streamed };
}

describe('beam search, hand-traced', () => {
  // vocab 4, EOS 3, 2 beams. Prompt p = .5 .3 .1 .1 → beams [0] (.5), [1] (.3).
  // After 0: p = .1 .1 .2 .6 → [0,EOS] = .30 (rank 0 → hypothesis [0], score ln(.3)/2); after 1: p = .7 .1 .1 .1 → [1,0] = .21.
  // Next beams [1,0] (.21) and [0,2] (.10). At max length they score ln(.21)/2 and ln(.1)/2, both below ln(.3)/2.
  const table: LogitsTable = (_row, last) =>
    logProbs(last === null ? [0.5, 0.3, 0.1, 0.1] : last === 0 ? [0.1, 0.1, 0.2, 0.6] : [0.7, 0.1, 0.1, 0.1]);
  const options = resolveGenerationOptions({ numBeams: 2, maxNewTokens: 2 }, { eosTokenIds: [3], padTokenId: 0 });

  it('returns the EOS-finished hypothesis with its EOS, expanding the cache with the first reorder', async () => {
    const { sequences, finishReasons, session, streamed } = await runBeam(table, 4, 1, options);
    expect(sequences).toEqual([[0, 3]]);
    expect(finishReasons).toEqual(['eos']);
    expect(session.calls).toEqual([
      { kind: 'prefill', rows: 1 },
      { kind: 'reorder', source: [0, 0] },
      { kind: 'step', tokens: [0, 1] },
    ]);
    expect(streamed).toEqual([[0, 0], [0, 3]]);
  });

  it('without a likely EOS the best running beam at max length wins, with no EOS appended', async () => {
    const noEos: LogitsTable = (_row, last) =>
      logProbs(last === null ? [0.5, 0.3, 0.1, 0.1] : last === 0 ? [0.1, 0.1, 0.79, 0.01] : [0.7, 0.1, 0.1, 0.1]);
    const { sequences, finishReasons } = await runBeam(noEos, 4, 1, options);
    // candidates: [0,2] .395, [1,0] .21, [0,0] .05, [0,1] .05 → beams [0,2], [1,0]; hyps none → best [0,2].
    expect(sequences).toEqual([[0, 2]]);
    expect(finishReasons).toEqual(['length']);
  });

  it('with several EOS ids HF finalize writes eos[0], whichever EOS ended the hypothesis', async () => {
    const eosTable: LogitsTable = () => logProbs([0.1, 0.1, 0.05, 0.05, 0.7]);
    const o = resolveGenerationOptions({ numBeams: 2, maxNewTokens: 1, eosTokenId: [3, 4] }, { eosTokenIds: [9], padTokenId: 0 });
    const { sequences, finishReasons } = await runBeam(eosTable, 5, 1, o);
    // EOS 4 at rank 0 → hypothesis [] scored ln(.7)/1; running [0], [1] at ln(.1) cannot beat it.
    expect(sequences).toEqual([[3]]);
    expect(finishReasons).toEqual(['eos']);
  });
});

describe('beam search equals brute force when nothing is pruned', () => {
  // vocab 3 with EOS 2, max 3 new tokens: 1 + 2 + 4 EOS-ended sequences and 8 full-length ones. 12 beams keep every
  // prefix and every EOS candidate ranks inside the top 12, so the result is the global optimum of
  // sum(log p) / len ** length_penalty, len counting the EOS.
  const vocab = 3;
  const EOS = 2;
  function bruteForce(table: LogitsTable, lengthPenalty: number): number[] {
    let best: { score: number; tokens: number[] } = { score: -Infinity, tokens: [] };
    const visit = (prefix: number[], sum: number) => {
      const lp = logSoftmax(table(0, prefix.length ? prefix[prefix.length - 1] : null, prefix.length));
      for (let t = 0; t < vocab; t++) {
        const tokens = [...prefix, t];
        const total = sum + lp[t];
        if (t === EOS || tokens.length === 3) {
          const score = total / tokens.length ** lengthPenalty;
          if (score > best.score) best = { score, tokens };
        } else visit(tokens, total);
      }
    };
    visit([], 0);
    return best.tokens;
  }

  const cases = [1, 0.5, 2, 0, -1].flatMap((lengthPenalty) =>
    [false, 'never' as const].flatMap((earlyStopping) => [0, 1, 2, 3].map((salt) => ({ lengthPenalty, earlyStopping, salt }))),
  );
  it.each(cases)('length_penalty $lengthPenalty, early_stopping $earlyStopping, table $salt', async ({ lengthPenalty, earlyStopping, salt }) => {
    const table = hashedTable(vocab, salt, () => 0.5, [EOS]);
    const options = resolveGenerationOptions(
      { numBeams: 12, maxNewTokens: 3, lengthPenalty, earlyStopping },
      { eosTokenIds: [EOS], padTokenId: 0 },
    );
    const { sequences } = await runBeam(table, vocab, 1, options);
    expect(sequences[0]).toEqual(bruteForce(table, lengthPenalty));
  });
});

describe('beam search equals a literal transcription of HF (pruning, batches, early stopping, processors)', () => {
  const cases: { name: string; user: Record<string, unknown>; batch: number; vocab: number; eos: number[] }[] = [];
  let salt = 0;
  for (const numBeams of [2, 3]) {
    for (const earlyStopping of [false, true, 'never'] as const) {
      for (const lengthPenalty of [1, 0.5, -0.5, 2]) {
        for (const extra of [{}, { repetitionPenalty: 1.5 }, { noRepeatNgramSize: 2 }, { minNewTokens: 3 }]) {
          const maxNewTokens = 3 + ((salt + 1) % 5);
          salt++;
          cases.push({
            name: `beams ${numBeams} early ${earlyStopping} lp ${lengthPenalty} ${JSON.stringify(extra)} #${salt}`,
            user: { numBeams, earlyStopping, lengthPenalty, maxNewTokens, ...extra },
            batch: 1 + (salt % 3),
            vocab: 6 + (salt % 3),
            eos: salt % 4 === 0 ? [5, 1] : [5],
          });
        }
      }
    }
  }

  it.each(cases)('$name', async ({ user, batch, vocab, eos }) => {
    const options = resolveGenerationOptions({ ...user, eosTokenId: eos }, { eosTokenIds: [5], padTokenId: 0 });
    for (let variant = 0; variant < 3; variant++) {
      const table = hashedTable(vocab, variant * 100 + vocab, (fed) => fed * 0.6 - 1, eos);
      const { sequences, finishReasons, session } = await runBeam(table, vocab, batch, options);
      const expected = referenceBeamSearch(table, vocab, batch, options);
      expect(sequences).toEqual(expected.map((row) => row.tokens));
      expect(finishReasons).toEqual(expected.map((row) => (row.appendedEos ? 'eos' : 'length')));
      for (const call of session.calls) if (call.kind === 'step') expect(call.tokens.length % options.numBeams).toBe(0);
    }
  });
});

describe('beam search batches', () => {
  it('drops a finished input row from the session and keeps the others exact', async () => {
    // Row 0: EOS is by far the best everywhere → one hypothesis after the first step, two (done with early_stopping
    // true) after the second.
    // Row 1: EOS is never likely → runs to max length.
    const table: LogitsTable = (row, last, fed) =>
      row === 0 ? logProbs([0.02, 0.02, 0.02, 0.94]) : logProbs([0.4, 0.3, 0.2 + 0.05 * ((last ?? 0) + fed), 0.001]);
    const options = resolveGenerationOptions({ numBeams: 2, maxNewTokens: 4, earlyStopping: true }, { eosTokenIds: [3], padTokenId: 0 });
    const { sequences, finishReasons, session } = await runBeam(table, 4, 2, options);
    expect(sequences).toEqual(referenceBeamSearch(table, 4, 2, options).map((row) => row.tokens));
    // Row 0: the first EOS (rank 0) gives hypothesis [] (score ln .94 / 1), which no later one beats → [EOS].
    expect(sequences[0]).toEqual([3]);
    expect(finishReasons).toEqual(['eos', 'length']);
    const reorders = session.calls.filter((c) => c.kind === 'reorder');
    expect(reorders[0]).toEqual({ kind: 'reorder', source: [0, 0, 1, 1] });
    // step 1: row 0 becomes done (two EOS hypotheses) → only row 1's two beams remain.
    expect(reorders[1].kind === 'reorder' && reorders[1].source.every((i) => i >= 2)).toBe(true);
    expect(reorders[1].kind === 'reorder' && reorders[1].source.length).toBe(2);

    const alone = await runBeam((_r, last, fed) => table(1, last, fed), 4, 1, options);
    expect(alone.sequences[0]).toEqual(sequences[1]);
  });
});
