/**
 * Beam search as HF 4.45 `_beam_search` (num_beam_groups 1, no sampling): per beam log_softmax of the logits, then the
 * logits processors, plus the beam's running score; the top max(2, 1 + n_eos) · numBeams of the row's numBeams ·
 * vocab candidates go to the BeamSearchScorer. At the first step every beam but the first has score -1e9, so all
 * candidates come from the single prompt row: the cache is expanded to numBeams rows per input row by the first
 * `reorder` (new rows copy the prompt row), which also applies the first beam choice. Input rows whose hypotheses are
 * final are dropped from the session (HF feeds them pad and ignores them); rows are independent, so this is exact.
 */
import { ErrorCode, GlanceError } from '../errors.ts';
import { throwIfAborted } from './abort.ts';
import { BeamSearchScorer, type BeamCandidates } from './beam-scorer.ts';
import type { DecoderSession, FinishReason, GenerateRequest, GenerateResult } from './decoder-session.ts';
import { checkLogits } from './logits-check.ts';
import { applyLogitsProcessors } from './logits-processors.ts';
import { logSoftmaxInto } from './softmax.ts';
import { selectTopK } from './top-k.ts';

/** HF's initial score of beams 1..numBeams-1, which keeps the identical copies of the prompt from being picked twice. */
const INACTIVE_BEAM_SCORE = -1e9;

export async function beamSearch(session: DecoderSession, request: GenerateRequest): Promise<GenerateResult> {
  const { options, batchSize, signal, onToken, prefixTokens = [] } = request;
  const numBeams = options.numBeams;
  const vocabSize = session.vocabSize;
  const candidateCount = Math.max(2, 1 + options.eosTokenIds.length) * numBeams;
  if (candidateCount > numBeams * vocabSize) {
    throw new GlanceError(
      ErrorCode.GenerationInvalidOption,
      `numBeams ${numBeams} is too large for a vocabulary of ${vocabSize} tokens with ${options.eosTokenIds.length} EOS ids`,
      { option: 'numBeams', numBeams, vocabSize },
    );
  }
  const scorer = new BeamSearchScorer({
    batchSize,
    numBeams,
    lengthPenalty: options.lengthPenalty,
    earlyStopping: options.earlyStopping,
    maxLength: options.maxNewTokens,
    eosTokenIds: options.eosTokenIds,
  });

  const beamTokens: number[][][] = Array.from({ length: batchSize }, () => Array.from({ length: numBeams }, () => []));
  const beamScores: Float32Array[] = Array.from({ length: batchSize }, () => {
    const scores = new Float32Array(numBeams).fill(INACTIVE_BEAM_SCORE);
    scores[0] = 0;
    return scores;
  });
  const rowScores = new Float32Array(numBeams * vocabSize);
  const candidateIndices = new Int32Array(candidateCount);
  const candidates: BeamCandidates = {
    scores: new Float32Array(candidateCount),
    tokens: new Int32Array(candidateCount),
    beams: new Int32Array(candidateCount),
    count: 0,
  };

  /** Input rows held by the session, in session order; each owns `rowsPerInput` consecutive session rows. */
  let activeRows = Array.from({ length: batchSize }, (_, row) => row);
  let rowsPerInput = 1; // the prompt rows before the first reorder, numBeams afterwards
  throwIfAborted(signal);
  let logits = checkLogits(await session.prefill(), batchSize, vocabSize, 'prefill');

  for (let step = 0; step < options.maxNewTokens; step++) {
    const source: number[] = [];
    const feed: number[] = [];
    const stillActive: number[] = [];
    for (let k = 0; k < activeRows.length; k++) {
      const row = activeRows[k];
      const scoresOfRow = beamScores[row];
      for (let beam = 0; beam < numBeams; beam++) {
        const sessionRow = k * rowsPerInput + (rowsPerInput === 1 ? 0 : beam);
        const offset = beam * vocabSize;
        logSoftmaxInto(logits, sessionRow * vocabSize, vocabSize, rowScores, offset);
        const view = rowScores.subarray(offset, offset + vocabSize);
        applyLogitsProcessors(view, beamTokens[row][beam], options, prefixTokens);
        const add = scoresOfRow[beam];
        for (let i = 0; i < vocabSize; i++) view[i] += add;
      }
      candidates.count = selectTopK(rowScores, numBeams * vocabSize, candidateCount, candidateIndices, candidates.scores);
      for (let c = 0; c < candidates.count; c++) {
        candidates.beams[c] = Math.floor(candidateIndices[c] / vocabSize);
        candidates.tokens[c] = candidateIndices[c] % vocabSize;
      }
      const next = scorer.process(row, beamTokens[row], candidates);
      const previous = beamTokens[row];
      beamTokens[row] = Array.from(next.sourceBeams, (from, i) => [...previous[from], next.tokens[i]]);
      beamScores[row] = next.scores;
      if (!scorer.done[row]) {
        stillActive.push(row);
        for (let i = 0; i < numBeams; i++) {
          source.push(k * rowsPerInput + (rowsPerInput === 1 ? 0 : next.sourceBeams[i]));
          feed.push(next.tokens[i]);
        }
      }
    }
    if (step + 1 === options.maxNewTokens || stillActive.length === 0) break;
    throwIfAborted(signal);
    await session.reorder(Int32Array.from(source));
    activeRows = stillActive;
    rowsPerInput = numBeams;
    throwIfAborted(signal);
    logits = checkLogits(await session.step(Int32Array.from(feed)), activeRows.length * numBeams, vocabSize, 'step');
  }

  const finals = scorer.finalize(
    beamTokens.map((tokens, row) => (scorer.done[row] ? null : { tokens, scores: beamScores[row] })),
  );
  const sequences = finals.map((final) => final.tokens);
  const finishReasons = finals.map((final): FinishReason => (final.endedWithEos ? 'eos' : 'length'));
  if (onToken) sequences.forEach((tokens, row) => tokens.forEach((token) => onToken(row, token)));
  return { sequences, finishReasons };
}
