/**
 * Entry point of the generation engine: checks the request and runs greedy/sampling (numBeams 1) or beam search over
 * a DecoderSession, reproducing Hugging Face transformers 4.45 `generate` token for token (sampling: same algorithm,
 * own seeded RNG). Pure: arrays in, arrays out; the session owns the model and its cache.
 */
import { ErrorCode, GlanceError } from '../errors.ts';
import { beamSearch } from './beam-search.ts';
import type { DecoderSession, GenerateRequest, GenerateResult } from './decoder-session.ts';
import { sampleSearch } from './sample-search.ts';

export type { DecoderSession, FinishReason, GenerateRequest, GenerateResult } from './decoder-session.ts';

function checkRequest(session: DecoderSession, request: GenerateRequest): void {
  const { batchSize, options } = request;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new GlanceError(ErrorCode.InvalidInput, `batchSize must be a positive integer, got ${batchSize}`, { batchSize });
  }
  if (!Number.isInteger(session.vocabSize) || session.vocabSize < 1) {
    throw new GlanceError(ErrorCode.RuntimeFailure, `Decoder vocabSize must be a positive integer, got ${session.vocabSize}`);
  }
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1) {
    throw new GlanceError(ErrorCode.GenerationInvalidOption, 'maxNewTokens must be an integer >= 1', { option: 'maxNewTokens' });
  }
  if (!Number.isInteger(options.numBeams) || options.numBeams < 1) {
    throw new GlanceError(ErrorCode.GenerationInvalidOption, 'numBeams must be an integer >= 1', { option: 'numBeams' });
  }
  if (options.numBeams > 1 && options.doSample) {
    throw new GlanceError(ErrorCode.GenerationUnsupportedOption, 'Beam sampling (numBeams > 1 with doSample) is not supported', {
      option: 'doSample',
    });
  }
}

export async function generate(session: DecoderSession, request: GenerateRequest): Promise<GenerateResult> {
  checkRequest(session, request);
  return request.options.numBeams > 1 ? beamSearch(session, request) : sampleSearch(session, request);
}
