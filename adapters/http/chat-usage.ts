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

export function chatUsage(result: ServiceResult): ChatUsage {
  const completionTokens = Math.max(0, result.sequence.length - 1);
  return { prompt_tokens: result.promptTokens, completion_tokens: completionTokens, total_tokens: result.promptTokens + completionTokens };
}
