import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { resolveGenerationOptions } from '../../../engine/generation/generation-options.ts';

const model = { eosTokenIds: [50118], padTokenId: 1 };

function errorOf(user: unknown): GlanceError {
  try {
    resolveGenerationOptions(user, model);
  } catch (error) {
    if (error instanceof GlanceError) return error;
    throw error;
  }
  throw new Error('expected resolveGenerationOptions to throw');
}

describe('resolveGenerationOptions', () => {
  it('defaults: greedy, 30 new tokens, HF values otherwise', () => {
    const expected = {
      maxNewTokens: 30,
      minNewTokens: 0,
      numBeams: 1,
      lengthPenalty: 1,
      earlyStopping: false,
      doSample: false,
      temperature: 1,
      topK: 50,
      topP: 1,
      seed: undefined,
      repetitionPenalty: 1,
      noRepeatNgramSize: 0,
      eosTokenIds: [50118],
      padTokenId: 1,
    };
    expect(resolveGenerationOptions(undefined, model)).toEqual(expected);
    expect(resolveGenerationOptions({}, model)).toEqual(expected);
    expect(resolveGenerationOptions({ maxNewTokens: undefined }, model)).toEqual(expected);
  });

  it('takes given values and the eos override as number or list', () => {
    const options = resolveGenerationOptions(
      { maxNewTokens: 12, minNewTokens: 3, numBeams: 5, lengthPenalty: -0.5, earlyStopping: 'never', eosTokenId: 13 },
      model,
    );
    expect(options).toMatchObject({ maxNewTokens: 12, minNewTokens: 3, numBeams: 5, lengthPenalty: -0.5, earlyStopping: 'never' });
    expect(options.eosTokenIds).toEqual([13]);
    expect(resolveGenerationOptions({ eosTokenId: [4, 2] }, model).eosTokenIds).toEqual([4, 2]);
    expect(resolveGenerationOptions({ doSample: true, temperature: 0.7, topK: 0, topP: 0.9, seed: 3 }, model)).toMatchObject({
      doSample: true,
      temperature: 0.7,
      topK: 0,
      topP: 0.9,
      seed: 3,
    });
  });

  it('does not share the model eos array', () => {
    const options = resolveGenerationOptions({}, model);
    options.eosTokenIds.push(7);
    expect(model.eosTokenIds).toEqual([50118]);
  });

  it('rejects unknown keys naming the key and the supported ones', () => {
    const error = errorOf({ max_new_tokens: 5 });
    expect(error.code).toBe(ErrorCode.GenerationUnsupportedOption);
    expect(error.message).toContain('"max_new_tokens"');
    expect(error.message).toContain('maxNewTokens');
    expect(error.message).toContain('eosTokenId');
    expect(error.details?.option).toBe('max_new_tokens');
  });

  it.each([
    [{ maxNewTokens: 0 }, 'maxNewTokens'],
    [{ maxNewTokens: -1 }, 'maxNewTokens'],
    [{ maxNewTokens: 2.5 }, 'maxNewTokens'],
    [{ maxNewTokens: Number.NaN }, 'maxNewTokens'],
    [{ maxNewTokens: '5' }, 'maxNewTokens'],
    [{ minNewTokens: -1 }, 'minNewTokens'],
    [{ numBeams: 0 }, 'numBeams'],
    [{ lengthPenalty: Number.POSITIVE_INFINITY }, 'lengthPenalty'],
    [{ earlyStopping: 'always' }, 'earlyStopping'],
    [{ doSample: 1 }, 'doSample'],
    [{ temperature: 0 }, 'temperature'],
    [{ temperature: -1 }, 'temperature'],
    [{ temperature: Number.NaN }, 'temperature'],
    [{ topK: -1 }, 'topK'],
    [{ topP: 0 }, 'topP'],
    [{ topP: 1.5 }, 'topP'],
    [{ seed: -1 }, 'seed'],
    [{ seed: 1.5 }, 'seed'],
    [{ repetitionPenalty: 0 }, 'repetitionPenalty'],
    [{ noRepeatNgramSize: -2 }, 'noRepeatNgramSize'],
    [{ eosTokenId: -1 }, 'eosTokenId'],
    [{ eosTokenId: [] }, 'eosTokenId'],
    [{ eosTokenId: [1, 'x'] }, 'eosTokenId'],
  ])('%j is invalid (%s)', (user, key) => {
    const error = errorOf(user);
    expect(error.code).toBe(ErrorCode.GenerationInvalidOption);
    expect(error.message).toContain(`"${key}"`);
  });

  it('rejects non-objects', () => {
    expect(errorOf(5).code).toBe(ErrorCode.GenerationInvalidOption);
    expect(errorOf([1]).code).toBe(ErrorCode.GenerationInvalidOption);
  });

  it('rejects minNewTokens > maxNewTokens', () => {
    const error = errorOf({ minNewTokens: 10, maxNewTokens: 5 });
    expect(error.code).toBe(ErrorCode.GenerationInvalidOption);
    expect(error.message).toMatch(/minNewTokens.*maxNewTokens/);
    expect(resolveGenerationOptions({ minNewTokens: 5, maxNewTokens: 5 }, model).minNewTokens).toBe(5);
  });

  it('rejects beam sampling as unsupported', () => {
    const error = errorOf({ numBeams: 3, doSample: true });
    expect(error.code).toBe(ErrorCode.GenerationUnsupportedOption);
    expect(error.message).toMatch(/beam sampling/i);
  });

  it('refuses sampling options without doSample instead of ignoring them', () => {
    for (const option of [{ temperature: 0.7 }, { topK: 5 }, { topP: 0.9 }, { seed: 1 }]) {
      const error = errorOf(option);
      expect(error.code).toBe(ErrorCode.GenerationInvalidOption);
      expect(error.message).toMatch(new RegExp(`option ${Object.keys(option)[0]} only applies when sampling; set doSample \\(--do-sample\\) or leave it out`));
    }
    expect(errorOf({ temperature: 0.7, topK: 5 }).message).toMatch(/options temperature, topK only apply when sampling; .* leave them out/);
    expect(resolveGenerationOptions({ doSample: true, temperature: 0.7, topK: 5, topP: 0.9, seed: 1 }, model).temperature).toBe(0.7);
  });

  it('refuses beam-search options without beams instead of ignoring them', () => {
    for (const option of [{ lengthPenalty: 2 }, { earlyStopping: true }, { numBeams: 1, earlyStopping: 'never' }]) {
      const error = errorOf(option);
      expect(error.code).toBe(ErrorCode.GenerationInvalidOption);
      expect(error.message).toMatch(/option \w+ only applies to beam search; .* leave it out/);
    }
    expect(errorOf({ lengthPenalty: 2, earlyStopping: true }).message).toMatch(/options lengthPenalty, earlyStopping only apply to beam search; .* leave them out/);
    expect(resolveGenerationOptions({ numBeams: 2, lengthPenalty: 2, earlyStopping: 'never' }, model).lengthPenalty).toBe(2);
  });
});
