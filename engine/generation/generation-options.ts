/**
 * Generation options: the user-facing option object (camelCase keys) validated with zod and resolved against the
 * model's EOS/pad ids into a complete `GenerationOptions`. Defaults follow HF 4.45 GenerationConfig (greedy, top_k 50
 * and top_p 1.0 when sampling, repetition_penalty 1.0, length_penalty 1.0, early_stopping False, ...) except
 * maxNewTokens, which defaults to 30 (LAVIS' caption length) instead of HF's max_length-derived value.
 */
import { z } from 'zod';
import { ErrorCode, GlanceError } from '../errors.ts';

export interface GenerationOptions {
  maxNewTokens: number;
  minNewTokens: number;
  numBeams: number;
  lengthPenalty: number;
  earlyStopping: boolean | 'never';
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  seed: number | undefined;
  repetitionPenalty: number;
  noRepeatNgramSize: number;
  eosTokenIds: number[];
  padTokenId: number;
}

export interface ModelGenerationDefaults {
  eosTokenIds: number[];
  padTokenId: number;
}

export const DEFAULT_MAX_NEW_TOKENS = 30;

const tokenId = z.number().int('must be an integer token id').min(0, 'must be a token id >= 0');
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const userOptionsSchema = z.object({
  maxNewTokens: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
  minNewTokens: z.number().int('must be an integer').min(0, 'must be >= 0').optional(),
  numBeams: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
  lengthPenalty: finite.optional(),
  earlyStopping: z.union([z.boolean(), z.literal('never')], 'must be true, false or "never"').optional(),
  doSample: z.boolean('must be a boolean').optional(),
  temperature: finite.refine((v) => v > 0, 'must be > 0').optional(),
  topK: z.number().int('must be an integer').min(0, 'must be >= 0 (0 disables top-k)').optional(),
  topP: finite.refine((v) => v > 0 && v <= 1, 'must be in (0, 1]').optional(),
  seed: z
    .number()
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(Number.MAX_SAFE_INTEGER, 'must be a safe integer')
    .optional(),
  repetitionPenalty: finite.refine((v) => v > 0, 'must be > 0 (1 disables it)').optional(),
  noRepeatNgramSize: z.number().int('must be an integer').min(0, 'must be >= 0 (0 disables it)').optional(),
  eosTokenId: z.union([tokenId, z.array(tokenId).min(1, 'must list at least one id')], 'must be a token id or a non-empty list of token ids').optional(),
});

type UserOptions = z.infer<typeof userOptionsSchema>;

export const SUPPORTED_GENERATION_OPTIONS: readonly string[] = Object.keys(userOptionsSchema.shape);

function invalid(message: string, details?: Record<string, unknown>): GlanceError {
  return new GlanceError(ErrorCode.GenerationInvalidOption, message, details);
}

function unsupported(message: string, details?: Record<string, unknown>): GlanceError {
  return new GlanceError(ErrorCode.GenerationUnsupportedOption, message, details);
}

function parseUserOptions(user: unknown): UserOptions {
  if (user === undefined || user === null) return {};
  if (typeof user !== 'object' || Array.isArray(user)) {
    throw invalid('Generation options must be an object', { received: Array.isArray(user) ? 'array' : typeof user });
  }
  const record = user as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((key) => !SUPPORTED_GENERATION_OPTIONS.includes(key));
  if (unknownKeys.length > 0) {
    const key = unknownKeys[0];
    throw unsupported(
      `Unsupported generation option "${key}"; supported options: ${SUPPORTED_GENERATION_OPTIONS.join(', ')}`,
      { option: key, unsupported: unknownKeys, supported: [...SUPPORTED_GENERATION_OPTIONS] },
    );
  }
  const parsed = userOptionsSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? '');
    throw invalid(`Invalid generation option "${key}": ${issue.message} (got ${JSON.stringify(record[key])})`, {
      option: key,
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    });
  }
  return parsed.data;
}

/** Validates `user` (see the option list above) and fills in defaults; throws GlanceError on any problem. */
export function resolveGenerationOptions(user: unknown, model: ModelGenerationDefaults): GenerationOptions {
  const given = parseUserOptions(user);
  const eos = given.eosTokenId;
  const options: GenerationOptions = {
    maxNewTokens: given.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS,
    minNewTokens: given.minNewTokens ?? 0,
    numBeams: given.numBeams ?? 1,
    lengthPenalty: given.lengthPenalty ?? 1,
    earlyStopping: given.earlyStopping ?? false,
    doSample: given.doSample ?? false,
    temperature: given.temperature ?? 1,
    topK: given.topK ?? 50,
    topP: given.topP ?? 1,
    seed: given.seed,
    repetitionPenalty: given.repetitionPenalty ?? 1,
    noRepeatNgramSize: given.noRepeatNgramSize ?? 0,
    eosTokenIds: eos === undefined ? [...model.eosTokenIds] : typeof eos === 'number' ? [eos] : [...eos],
    padTokenId: model.padTokenId,
  };
  if (options.minNewTokens > options.maxNewTokens) {
    throw invalid(
      `Invalid generation options: minNewTokens (${options.minNewTokens}) is larger than maxNewTokens (${options.maxNewTokens})`,
      { option: 'minNewTokens', minNewTokens: options.minNewTokens, maxNewTokens: options.maxNewTokens },
    );
  }
  if (options.numBeams > 1 && options.doSample) {
    throw unsupported('Beam sampling (numBeams > 1 with doSample) is not supported; use beam search or sampling', {
      option: 'doSample',
      numBeams: options.numBeams,
    });
  }
  // Options that the chosen decoding mode would not read are refused rather than silently ignored.
  const samplingOnly = (['temperature', 'topK', 'topP', 'seed'] as const).filter((key) => given[key] !== undefined);
  if (!options.doSample && samplingOnly.length > 0) {
    throw invalid(`Generation option${samplingOnly.length > 1 ? 's' : ''} ${samplingOnly.join(', ')} only appl${samplingOnly.length > 1 ? 'y' : 'ies'} when sampling; set doSample (--do-sample) or leave ${samplingOnly.length > 1 ? 'them' : 'it'} out`, {
      option: samplingOnly[0],
      options: samplingOnly,
    });
  }
  const beamOnly = (['lengthPenalty', 'earlyStopping'] as const).filter((key) => given[key] !== undefined);
  if (options.numBeams === 1 && beamOnly.length > 0) {
    throw invalid(`Generation option${beamOnly.length > 1 ? 's' : ''} ${beamOnly.join(', ')} only appl${beamOnly.length > 1 ? 'y' : 'ies'} to beam search; set numBeams above 1 or leave ${beamOnly.length > 1 ? 'them' : 'it'} out`, {
      option: beamOnly[0],
      options: beamOnly,
    });
  }
  return options;
}
