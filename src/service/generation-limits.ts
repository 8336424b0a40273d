/**
 * The server's caps on one request's generation options (GLANCE_MAX_BEAMS, GLANCE_MAX_NEW_TOKENS): the engine only
 * needs numBeams ≥ 1 and a length within the model's context, so without them one request could ask for thousands of
 * beams or tokens and exhaust memory. A request over a cap is refused with GENERATION_INVALID_OPTION naming the cap,
 * before any work; a cap below the default length (30 tokens) is also the length of requests that give none.
 */
import { DEFAULT_MAX_NEW_TOKENS, resolveGenerationOptions, type GenerationOptions, type ModelGenerationDefaults } from '../../engine/generation/generation-options.ts';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

export interface GenerationLimits {
  /** Most beams (numBeams) one request may ask for. */
  maxBeams: number;
  /** Most new tokens (maxNewTokens) one request may ask for. */
  maxNewTokens: number;
}

export function checkGenerationLimits(limits: GenerationLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new GlanceError(ErrorCode.InvalidInput, `generationLimits.${name} must be a positive integer (got ${value})`);
  }
}

/**
 * The request's options as the engine gets them (with maxNewTokens set to the cap when none is given and the cap is
 * below the default) and resolved; throws GENERATION_* for invalid options and for options over a cap.
 */
export function limitGeneration(
  generation: Record<string, unknown>,
  limits: GenerationLimits | undefined,
  model: ModelGenerationDefaults,
): { generation: Record<string, unknown>; resolved: GenerationOptions } {
  if (!limits) return { generation, resolved: resolveGenerationOptions(generation, model) };
  const capped = generation.maxNewTokens === undefined && limits.maxNewTokens < DEFAULT_MAX_NEW_TOKENS ? { ...generation, maxNewTokens: limits.maxNewTokens } : generation;
  const resolved = resolveGenerationOptions(capped, model);
  if (resolved.numBeams > limits.maxBeams) {
    throw new GlanceError(ErrorCode.GenerationInvalidOption, `numBeams ${resolved.numBeams} is more than this server allows (${limits.maxBeams}); ask for ${limits.maxBeams} or fewer beams`, {
      option: 'numBeams',
      limit: limits.maxBeams,
    });
  }
  if (resolved.maxNewTokens > limits.maxNewTokens) {
    throw new GlanceError(ErrorCode.GenerationInvalidOption, `maxNewTokens ${resolved.maxNewTokens} is more than this server allows (${limits.maxNewTokens}); ask for ${limits.maxNewTokens} or fewer new tokens`, {
      option: 'maxNewTokens',
      limit: limits.maxNewTokens,
    });
  }
  return { generation: capped, resolved };
}
