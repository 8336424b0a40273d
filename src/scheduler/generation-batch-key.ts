/**
 * Which generation requests may share an engine batch. Requests batch when their options are equal once resolved
 * (defaults filled in: `{}` and `{"maxNewTokens":30}` are the same request), except seeded sampling: the engine
 * keeps one random generator per batch, so a seeded request runs in a batch of its own and gives the same tokens
 * whatever else is waiting (the same seed, the same tokens).
 */
import type { GenerationOptions } from '../../engine/generation/generation-options.ts';
import { optionsKey } from './generation-scheduler.ts';

export interface GenerationBatchKey {
  /** Requests with equal keys may run in one batch. */
  key: string;
  /** Runs in a batch of its own. */
  alone: boolean;
}

export function generationBatchKey(resolved: GenerationOptions): GenerationBatchKey {
  return { key: optionsKey({ ...resolved }), alone: resolved.doSample && resolved.seed !== undefined };
}
