/**
 * The top-level fields of an OpenAI chat completion request other than `messages`: the sampling fields mapped to the
 * engine's generation options, the fields whose values change nothing here (accepted), and those whose values would
 * change the answer in a way glance cannot honour (refused with GENERATION_UNSUPPORTED_OPTION naming the field).
 *
 * Greedy decoding: `temperature` 0, or no temperature with no `top_p` below 1. Greedy decoding ignores `top_p` and
 * `seed`, so they are dropped then. With `temperature` above 0 (or no temperature and `top_p` below 1) glance samples.
 */
import { ErrorCode, GlanceError, withRenamedTerms } from '../../engine/errors.ts';

export interface ChatOptions {
  generation: Record<string, unknown>;
  /** The request's field name for each engine option it set (maxNewTokens → max_tokens or max_completion_tokens, topP → top_p, …). */
  fieldNames: Record<string, string>;
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk carries the usage (non-streamed answers always carry it). */
  includeUsage: boolean;
}

/** Every top-level field glance takes; any other is refused. */
export const CHAT_FIELDS = [
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'seed',
  'n', 'user', 'frequency_penalty', 'presence_penalty', 'stop', 'logprobs', 'response_format', 'logit_bias', 'store',
  'metadata',
] as const;

function invalid(message: string): GlanceError {
  return new GlanceError(ErrorCode.InvalidInput, message);
}

function unsupported(message: string): GlanceError {
  return new GlanceError(ErrorCode.GenerationUnsupportedOption, message);
}

function given(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function number(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new GlanceError(ErrorCode.GenerationInvalidOption, `${name} must be a number`);
  return value;
}

/** Fields that are accepted only with the value that changes nothing; any other value is refused, naming the field. */
function checkNeutralFields(body: Record<string, unknown>): void {
  if (given(body.user) && typeof body.user !== 'string') throw invalid('user must be a string');
  const bias = body.logit_bias;
  if (given(bias) && !(typeof bias === 'object' && !Array.isArray(bias) && Object.keys(bias as object).length === 0)) {
    throw unsupported('logit_bias is not supported: glance applies no token biases (send {} or leave it out)');
  }
  if (given(body.store) && body.store !== false) throw unsupported('store is not supported: glance keeps no completions (send false or leave it out)');
  const metadata = body.metadata;
  if (given(metadata) && (typeof metadata !== 'object' || Array.isArray(metadata))) throw invalid('metadata must be an object of strings');
  for (const name of ['frequency_penalty', 'presence_penalty'] as const) {
    if (given(body[name]) && number(name, body[name]) !== 0) throw unsupported(`${name} is not supported: glance applies no ${name.replace('_', ' ')} (send 0 or leave it out)`);
  }
  if (given(body.n) && body.n !== 1) throw unsupported('n must be 1: glance returns one choice per request');
  const stop = body.stop;
  if (given(stop) && !(Array.isArray(stop) && stop.length === 0)) throw unsupported('stop is not supported: glance has no stop sequences (leave it out or send null)');
  if (given(body.logprobs) && body.logprobs !== false) throw unsupported('logprobs is not supported: glance returns no log probabilities (send false or leave it out)');
  const format = body.response_format;
  if (given(format)) {
    const type = typeof format === 'object' && !Array.isArray(format) ? (format as Record<string, unknown>).type : undefined;
    if (type !== 'text') throw unsupported('response_format is not supported except {"type":"text"}: glance answers in plain text');
  }
}

function includeUsageFrom(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  if (!given(options)) return false;
  if (typeof options !== 'object' || Array.isArray(options)) throw invalid('stream_options must be an object, e.g. {"include_usage": true}');
  const record = options as Record<string, unknown>;
  const other = Object.keys(record).find((key) => key !== 'include_usage');
  if (other !== undefined) throw unsupported(`stream_options.${other} is not supported (only include_usage)`);
  if (given(record.include_usage) && typeof record.include_usage !== 'boolean') throw invalid('stream_options.include_usage must be true or false');
  return record.include_usage === true;
}

/** OpenAI's sampling fields → the engine's options (see the file comment for when decoding is greedy). */
function generationFrom(body: Record<string, unknown>): Record<string, unknown> {
  const generation: Record<string, unknown> = {};
  if (given(body.max_tokens) && given(body.max_completion_tokens)) throw invalid('give max_tokens or max_completion_tokens, not both');
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (given(maxTokens)) generation.maxNewTokens = number('max_tokens', maxTokens);
  const temperature = given(body.temperature) ? number('temperature', body.temperature) : undefined;
  const topP = given(body.top_p) ? number('top_p', body.top_p) : undefined;
  const seed = given(body.seed) ? number('seed', body.seed) : undefined;
  const samples = temperature === undefined ? topP !== undefined && topP !== 1 : temperature !== 0;
  if (!samples) return generation;
  generation.doSample = true;
  if (temperature !== undefined) generation.temperature = temperature;
  if (topP !== undefined) generation.topP = topP;
  if (seed !== undefined) generation.seed = seed;
  return generation;
}

export function chatOptionsFrom(body: Record<string, unknown>): ChatOptions {
  if (given(body.stream) && typeof body.stream !== 'boolean') throw invalid('stream must be true or false');
  checkNeutralFields(body);
  const fieldNames = { maxNewTokens: given(body.max_completion_tokens) ? 'max_completion_tokens' : 'max_tokens', temperature: 'temperature', topP: 'top_p', seed: 'seed' };
  return { generation: generationFrom(body), fieldNames, stream: body.stream === true, includeUsage: includeUsageFrom(body) };
}

/**
 * A generation option error from the service (a value the engine refuses, a server cap) in the request's own terms:
 * `max_tokens 500 is more than this server allows (256)`, not `maxNewTokens 500 …`. Other errors pass unchanged.
 */
export function inChatTerms(error: unknown, fieldNames: Record<string, string>): unknown {
  if (!(error instanceof GlanceError) || (error.code !== ErrorCode.GenerationInvalidOption && error.code !== ErrorCode.GenerationUnsupportedOption)) return error;
  const renamed = withRenamedTerms(error, fieldNames);
  if (renamed === error) return error;
  const option = error.details?.option;
  const details = { ...error.details, ...(typeof option === 'string' && option in fieldNames ? { option: fieldNames[option] } : {}) };
  return new GlanceError(error.code, renamed.message, details, { cause: error });
}
