/** Guards against a DecoderSession that returns logits of the wrong shape. */
import { ErrorCode, GlanceError } from '../errors.ts';

export function checkLogits(logits: Float32Array, rows: number, vocabSize: number, call: string): Float32Array {
  if (!(logits instanceof Float32Array) || logits.length !== rows * vocabSize) {
    throw new GlanceError(ErrorCode.RuntimeFailure, `Decoder ${call} returned logits of the wrong size`, {
      expected: rows * vocabSize,
      received: logits?.length,
      rows,
      vocabSize,
    });
  }
  return logits;
}
