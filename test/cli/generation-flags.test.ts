/** Every generation flag of `glance caption` / `ask` reaches the engine's options under the engine's name. */
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { SUPPORTED_GENERATION_OPTIONS } from '../../engine/generation/generation-options.ts';
import { addGenerationFlags, generationOptionsFrom } from '../../cli/generation-flags.ts';

function parse(args: string[]): Record<string, unknown> {
  let options: Record<string, unknown> = {};
  const command = addGenerationFlags(new Command('caption')).exitOverride().action((flags: Record<string, unknown>) => {
    options = generationOptionsFrom(flags);
  });
  command.parse(args, { from: 'user' });
  return options;
}

describe('generation flags', () => {
  it('map every flag to its engine option, none dropped', () => {
    const options = parse([
      '--max-new-tokens', '7', '--min-new-tokens', '2', '--num-beams', '3', '--length-penalty', '0.5', '--early-stopping', 'never',
      '--do-sample', '--temperature', '0.7', '--top-k', '5', '--top-p', '0.9', '--seed', '11', '--repetition-penalty', '1.2',
      '--no-repeat-ngram-size', '2', '--eos-token-id', '202,4', '--eos-token-id', '9',
    ]);
    expect(options).toEqual({
      maxNewTokens: 7, minNewTokens: 2, numBeams: 3, lengthPenalty: 0.5, earlyStopping: 'never', doSample: true, temperature: 0.7,
      topK: 5, topP: 0.9, seed: 11, repetitionPenalty: 1.2, noRepeatNgramSize: 2, eosTokenId: [202, 4, 9],
    });
    expect(Object.keys(options).sort()).toEqual([...SUPPORTED_GENERATION_OPTIONS].sort());
  });

  it('give no options when no flag is given (the engine defaults apply)', () => {
    expect(parse([])).toEqual({});
  });
});
