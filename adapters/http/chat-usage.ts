/**
 * The `usage` of an OpenAI chat completion. completion_tokens: the new tokens generated (the sequence without its
 * start token). prompt_tokens: what the language model read before generating — the image's query positions plus
 * the prompt's token ids (`Question: … Answer:`). total_tokens is their sum.
 */
import type { ServiceResult } from '../../src/service/glance-service.ts';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The usage of one answer, or the sum over the answers about several images of one message. */
export function chatUsage(results: readonly ServiceResult[]): ChatUsage {
  const promptTokens = results.reduce((sum, result) => sum + result.promptTokens, 0);
  const completionTokens = results.reduce((sum, result) => sum + Math.max(0, result.sequence.length - 1), 0);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
