/**
 * The generation flags shared by `glance caption` and `glance ask`, mapped to the engine's option names. Values
 * are only parsed as numbers here; the engine validates them and rejects what it does not support.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ErrorCode, GlanceError, withRenamedTerms } from '../engine/errors.ts';

function number(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || Number.isNaN(parsed)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return parsed;
}

function earlyStopping(value: string): boolean | 'never' {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'never') return 'never';
  throw new InvalidArgumentError('use true, false or never.');
}

function ids(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), ...value.split(',').map(number)];
}

/**
 * A flag whose name starts with `--no-` but takes a value. Commander reads any `--no-x` as the negation of `--x` and
 * stores it as `x` (`--no-repeat-ngram-size 2` became repeatNgramSize = 2, which nothing read: the flag was silently
 * ignored); this one keeps its own name (noRepeatNgramSize) and no default.
 */
function valueFlagStartingWithNo(flags: string, description: string, parse: (value: string) => number): Option {
  const option = new Option(flags, description).argParser(parse);
  option.negate = false;
  return option;
}

export function addGenerationFlags(command: Command): Command {
  return command
    .option('--max-new-tokens <n>', 'most new tokens per answer (default 30)', number)
    .option('--min-new-tokens <n>', 'suppress EOS until this many new tokens', number)
    .option('--num-beams <n>', 'beam search width (1 = greedy or sampling)', number)
    .option('--length-penalty <x>', 'beam search length penalty exponent', number)
    .option('--early-stopping [when]', 'beam search stop rule: true, false or never', earlyStopping)
    .option('--do-sample', 'sample instead of greedy decoding')
    .option('--temperature <x>', 'sampling temperature', number)
    .option('--top-k <n>', 'sample from the k most likely tokens', number)
    .option('--top-p <x>', 'sample from the smallest set with this much probability', number)
    .option('--seed <n>', 'random seed for reproducible sampling', number)
    .option('--repetition-penalty <x>', 'penalty for tokens already generated', number)
    .addOption(valueFlagStartingWithNo('--no-repeat-ngram-size <n>', 'never repeat an n-gram of this size', number))
    .option('--eos-token-id <id>', 'stop token id(s), comma separated or repeated', ids);
}

const FLAG_KEYS = [
  'maxNewTokens', 'minNewTokens', 'numBeams', 'lengthPenalty', 'earlyStopping', 'doSample', 'temperature',
  'topK', 'topP', 'seed', 'repetitionPenalty', 'noRepeatNgramSize', 'eosTokenId',
] as const;

/** The generation options the user gave (absent flags are left to the engine's defaults). */
export function generationOptionsFrom(flags: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of FLAG_KEYS) if (flags[key] !== undefined) options[key] = flags[key];
  return options;
}

const kebab = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
/** Each engine option the flags set → its flag (maxNewTokens → --max-new-tokens). */
const FLAG_NAMES: Record<string, string> = Object.fromEntries(FLAG_KEYS.map((key) => [key, kebab(key)]));

/**
 * A refused generation option named by the flag the user typed (`--max-new-tokens`, not the engine's maxNewTokens);
 * other errors unchanged.
 */
export function withFlagNames(error: unknown): unknown {
  if (!(error instanceof GlanceError) || (error.code !== ErrorCode.GenerationInvalidOption && error.code !== ErrorCode.GenerationUnsupportedOption)) return error;
  const renamed = withRenamedTerms(error, FLAG_NAMES);
  if (renamed === error) return error;
  // The engine's hint "doSample (--do-sample)" names the flag already: once is enough.
  return new GlanceError(error.code, renamed.message.replace('--do-sample (--do-sample)', '--do-sample'), error.details, { cause: error });
}

/** Runs `work`, naming a refused generation option by its flag. */
export async function namingFlags<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw withFlagNames(error);
  }
}
