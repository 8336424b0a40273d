/**
 * The contract between the generation engine and a model: a decoder that holds one KV-cache row per sequence and
 * returns the last-position logits of every row, plus the request/result shapes of `generate`. The engine never
 * writes into a returned logits buffer and is done reading it before its next call, so a session may reuse one buffer.
 */
import type { GenerationOptions } from './generation-options.ts';

export interface DecoderSession {
  readonly vocabSize: number;
  /** Runs the prompts of all current rows; resolves to the logits of each row's last position, rows × vocabSize, row-major. */
  prefill(): Promise<Float32Array>;
  /** Feeds one token per current row (tokens.length === rows) and resolves to the next logits, rows × vocabSize. */
  step(tokens: Int32Array): Promise<Float32Array>;
  /** Re-arranges the cache rows: new row i = old row source[i]. source may be longer (beam expansion) or shorter (dropping rows) than the current row count. */
  reorder(source: Int32Array): Promise<void>;
}

export interface GenerateRequest {
  options: GenerationOptions;
  batchSize: number;
  /**
   * Decoder input ids that precede the generated tokens of every row, as HF's `input_ids` holds them when generation
   * starts: empty for BLIP-2's decoder-only models (called with inputs_embeds only), [decoder_start_token_id] for
   * encoder-decoder models. The logits processors that read the ids (repetition penalty, no-repeat n-gram) see them;
   * lengths (maxNewTokens, minNewTokens, beam length penalty) count only the generated tokens, as HF's do.
   */
  prefixTokens?: readonly number[];
  signal?: AbortSignal;
  /**
   * Greedy/sampling: called for every new token of every row as soon as it is chosen (the EOS included, pads of
   * finished rows never). Beam search: called once per token of each row's final sequence, row by row, at the end.
   */
  onToken?: (row: number, token: number) => void;
}

export type FinishReason = 'eos' | 'length';

export interface GenerateResult {
  /** Per input row: the NEW tokens only, including a generated EOS, no padding. */
  sequences: number[][];
  finishReasons: FinishReason[];
}
