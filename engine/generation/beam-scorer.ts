/**
 * HF 4.45 `BeamSearchScorer` for one batch of input rows: `process` turns the top candidates of one input row into the
 * next `numBeams` running beams (EOS candidates ranked inside the top `numBeams` become finished hypotheses scored with
 * generated_len = tokens so far + 1), marks the row done when its hypotheses cannot improve, and `finalize` adds the
 * running beams of unfinished rows and picks each row's best hypothesis, appending `eos[0]` where HF's finalize does.
 */
import { BeamHypotheses, type EarlyStopping } from './beam-hypotheses.ts';

export interface BeamCandidates {
  /** Candidate scores (sum of log-probabilities), best first. */
  scores: Float32Array;
  /** Candidate tokens. */
  tokens: Int32Array;
  /** Candidate source beam, 0..numBeams-1, within the row. */
  beams: Int32Array;
  /** Number of valid candidates. */
  count: number;
}

export interface NextBeams {
  scores: Float32Array;
  tokens: Int32Array;
  /** Source beam of each new beam, 0..numBeams-1, within the row. */
  sourceBeams: Int32Array;
}

export interface FinalSequence {
  /** The row's output as HF returns it, without the padding HF adds to shorter rows of a batch. */
  tokens: number[];
  /** True when HF's finalize appended an EOS (the best hypothesis ended on one). */
  endedWithEos: boolean;
}

export interface BeamScorerConfig {
  batchSize: number;
  numBeams: number;
  lengthPenalty: number;
  earlyStopping: EarlyStopping;
  /** HF max_length: the generated-token budget plus the decoder prompt length. */
  maxLength: number;
  eosTokenIds: readonly number[];
  decoderPromptLength?: number;
}

export class BeamSearchScorer {
  readonly hypotheses: BeamHypotheses[];
  readonly done: boolean[];
  private readonly eos: Set<number>;
  private readonly promptLength: number;

  constructor(private readonly config: BeamScorerConfig) {
    if (!Number.isInteger(config.numBeams) || config.numBeams < 2) throw new Error('BeamSearchScorer needs numBeams >= 2');
    this.hypotheses = Array.from(
      { length: config.batchSize },
      () => new BeamHypotheses(config.numBeams, config.lengthPenalty, config.earlyStopping, config.maxLength),
    );
    this.done = new Array<boolean>(config.batchSize).fill(false);
    this.eos = new Set(config.eosTokenIds);
    this.promptLength = config.decoderPromptLength ?? 0;
  }

  get isDone(): boolean {
    return this.done.every(Boolean);
  }

  /**
   * HF `process` for input row `row` (which must not be done). `beamTokens[j]` are the tokens of running beam j so
   * far (HF's input_ids row), `candidates` the top max(2, 1 + n_eos) · numBeams candidates of the row.
   */
  process(row: number, beamTokens: readonly (readonly number[])[], candidates: BeamCandidates): NextBeams {
    const numBeams = this.config.numBeams;
    if (this.done[row]) throw new Error(`BeamSearchScorer.process called for finished row ${row}`);
    const curLength = beamTokens[0].length + 1;
    const next: NextBeams = {
      scores: new Float32Array(numBeams),
      tokens: new Int32Array(numBeams),
      sourceBeams: new Int32Array(numBeams),
    };
    const hyps = this.hypotheses[row];
    let filled = 0;
    for (let rank = 0; rank < candidates.count; rank++) {
      const token = candidates.tokens[rank];
      const score = candidates.scores[rank];
      const beam = candidates.beams[rank];
      if (this.eos.has(token)) {
        if (rank >= numBeams) continue;
        hyps.add([...beamTokens[beam]], score, curLength - this.promptLength);
      } else {
        next.scores[filled] = score;
        next.tokens[filled] = token;
        next.sourceBeams[filled] = beam;
        filled++;
      }
      if (filled === numBeams) break;
    }
    if (filled < numBeams) {
      throw new Error(`At most ${numBeams} of the beam candidates may be EOS tokens; got fewer non-EOS candidates`);
    }
    let best = -Infinity;
    for (let rank = 0; rank < candidates.count; rank++) if (candidates.scores[rank] > best) best = candidates.scores[rank];
    this.done[row] = hyps.isDone(best, curLength, this.promptLength);
    return next;
  }

  /**
   * HF `finalize`: rows still running add their beams (`running[row]`, tokens and summed scores; null for rows that
   * are done), then each row's best hypothesis is returned with `eos[0]` appended when it is shorter than
   * min(longest best + 1, max_length), which is exactly the hypotheses that were finished by an EOS.
   */
  finalize(running: readonly ({ tokens: readonly (readonly number[])[]; scores: ArrayLike<number> } | null)[]): FinalSequence[] {
    for (let row = 0; row < this.hypotheses.length; row++) {
      if (this.done[row]) continue;
      const beams = running[row];
      if (!beams) throw new Error(`BeamSearchScorer.finalize: running beams missing for unfinished row ${row}`);
      for (let beam = 0; beam < this.config.numBeams; beam++) {
        const tokens = beams.tokens[beam];
        this.hypotheses[row].add([...tokens], beams.scores[beam], tokens.length - this.promptLength);
      }
    }
    const best = this.hypotheses.map((hyps) => hyps.best().tokens);
    const longest = Math.max(...best.map((tokens) => tokens.length));
    const maxSentenceLength = Math.min(longest + 1, this.config.maxLength);
    const firstEos = this.config.eosTokenIds[0];
    return best.map((tokens) => {
      const endedWithEos = tokens.length < maxSentenceLength && firstEos !== undefined;
      return { tokens: endedWithEos ? [...tokens, firstEos] : [...tokens], endedWithEos };
    });
  }
}
