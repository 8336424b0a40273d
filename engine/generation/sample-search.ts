/**
 * Greedy decoding and multinomial sampling with one session row per input row (HF 4.45 `_sample`): processors (then
 * warpers when sampling) on each row's scores, argmax or a seeded draw, EOS ends a row. Where HF keeps feeding pad to
 * finished rows, this loop drops them from the session with `reorder`; rows are independent, so the remaining rows
 * decode exactly as in HF. Stops when every row finished or `maxNewTokens` tokens were produced.
 */
import { throwIfAborted } from './abort.ts';
import type { DecoderSession, FinishReason, GenerateRequest, GenerateResult } from './decoder-session.ts';
import { checkLogits } from './logits-check.ts';
import { applyLogitsProcessors } from './logits-processors.ts';
import { applySamplingWarpers } from './logits-warpers.ts';
import { createRandom, type RandomSource } from './random.ts';
import { argmax, sampleToken } from './sampler.ts';

export async function sampleSearch(
  session: DecoderSession,
  request: GenerateRequest,
  random: RandomSource = createRandom(request.options.seed),
): Promise<GenerateResult> {
  const { options, batchSize, signal, onToken, prefixTokens = [] } = request;
  const vocabSize = session.vocabSize;
  const eos = new Set(options.eosTokenIds);
  const sequences: number[][] = Array.from({ length: batchSize }, () => []);
  const finishReasons: FinishReason[] = new Array<FinishReason>(batchSize).fill('length');
  const scores = new Float32Array(vocabSize);
  const probabilities = options.doSample ? new Float64Array(vocabSize) : undefined;

  /** activeRows[r] = the input row held in session row r. */
  let activeRows = Array.from({ length: batchSize }, (_, row) => row);
  throwIfAborted(signal);
  let logits = checkLogits(await session.prefill(), batchSize, vocabSize, 'prefill');

  for (let step = 0; step < options.maxNewTokens; step++) {
    const nextTokens = new Int32Array(activeRows.length);
    const keep: number[] = [];
    for (let r = 0; r < activeRows.length; r++) {
      const row = activeRows[r];
      const generated = sequences[row];
      scores.set(logits.subarray(r * vocabSize, (r + 1) * vocabSize));
      applyLogitsProcessors(scores, generated, options, prefixTokens);
      let token: number;
      if (options.doSample) {
        applySamplingWarpers(scores, options);
        token = sampleToken(scores, random, probabilities);
      } else {
        token = argmax(scores);
      }
      generated.push(token);
      nextTokens[r] = token;
      onToken?.(row, token);
      if (eos.has(token)) finishReasons[row] = 'eos';
      else keep.push(r);
    }
    if (keep.length === 0 || step + 1 === options.maxNewTokens) break;
    throwIfAborted(signal);
    let feed = nextTokens;
    if (keep.length < activeRows.length) {
      await session.reorder(Int32Array.from(keep));
      activeRows = keep.map((r) => activeRows[r]);
      feed = Int32Array.from(keep, (r) => nextTokens[r]);
      throwIfAborted(signal);
    }
    logits = checkLogits(await session.step(feed), activeRows.length, vocabSize, 'step');
  }
  return { sequences, finishReasons };
}
