/**
 * The `usage` of an OpenAI chat completion. completion_tokens: the new tokens generated (the sequence without its
 * start token). prompt_tokens: the image's query positions the language model reads before the text (the bundle's
 * numQueryTokens); the text prompt's own tokens are not counted, since the service does not report them.
 * total_tokens is their sum.
 */
import type { ServiceResult } from '../../src/service/glance-service.ts';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function chatUsage(result: ServiceResult, numQueryTokens: number): ChatUsage {
  const completionTokens = Math.max(0, result.sequence.length - 1);
  return { prompt_tokens: numQueryTokens, completion_tokens: completionTokens, total_tokens: numQueryTokens + completionTokens };
}
