/**
 * The finished hypotheses of one input row in beam search, kept exactly like HF 4.45 `BeamHypotheses`: at most
 * `numBeams` entries scored sum_logprobs / generated_len ** length_penalty, the worst one evicted (lowest score, the
 * earliest among equal scores), and `isDone` for early_stopping true / false (heuristic) / "never" (exact bound).
 * Stored token lists never contain the EOS that finished them (HF adds `input_ids` before the EOS is appended).
 */

export interface BeamHypothesis {
  /** Length-normalised score. */
  score: number;
  /** The generated tokens, without the finishing EOS. */
  tokens: number[];
}

export type EarlyStopping = boolean | 'never';

export class BeamHypotheses {
  readonly beams: BeamHypothesis[] = [];
  worstScore = 1e9;

  constructor(
    readonly numBeams: number,
    readonly lengthPenalty: number,
    readonly earlyStopping: EarlyStopping,
    /** max_length as HF's scorer sees it (prompt included; the prompt is empty for BLIP-2's language model). */
    readonly maxLength: number,
  ) {}

  get size(): number {
    return this.beams.length;
  }

  /** HF `add(hyp, sum_logprobs, generated_len=...)`. */
  add(tokens: number[], sumLogprobs: number, generatedLength: number): void {
    const score = sumLogprobs / generatedLength ** this.lengthPenalty;
    if (this.beams.length < this.numBeams || score > this.worstScore) {
      this.beams.push({ score, tokens });
      if (this.beams.length > this.numBeams) {
        // sorted((s, idx)) → [0] is the worst (earliest among ties), [1] the new worst.
        const order = this.beams.map((_, index) => index).sort((a, b) => this.beams[a].score - this.beams[b].score || a - b);
        const newWorst = this.beams[order[1]].score;
        this.beams.splice(order[0], 1);
        this.worstScore = newWorst;
      } else {
        this.worstScore = Math.min(score, this.worstScore);
      }
    }
  }

  /** HF `is_done(best_sum_logprobs, cur_len, decoder_prompt_len)`; `curLength` counts the candidate token too. */
  isDone(bestSumLogprobs: number, curLength: number, decoderPromptLength = 0): boolean {
    if (this.beams.length < this.numBeams) return false;
    if (this.earlyStopping === true) return true;
    let highestAttainable: number;
    if (this.earlyStopping === false || this.lengthPenalty <= 0) {
      highestAttainable = bestSumLogprobs / (curLength - decoderPromptLength) ** this.lengthPenalty;
    } else {
      highestAttainable = bestSumLogprobs / (this.maxLength - decoderPromptLength) ** this.lengthPenalty;
    }
    return this.worstScore >= highestAttainable;
  }

  /** The hypothesis HF's finalize returns first: `sorted(beams, key=score).pop()`, i.e. the latest among equal best. */
  best(): BeamHypothesis {
    if (this.beams.length === 0) throw new Error('BeamHypotheses.best() called with no hypotheses');
    let bestIndex = 0;
    for (let i = 1; i < this.beams.length; i++) if (this.beams[i].score >= this.beams[bestIndex].score) bestIndex = i;
    return this.beams[bestIndex];
  }
}
