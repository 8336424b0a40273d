/** Shared pieces for reading config.json sections: zod helpers and the coded error they raise. */
import { z } from 'zod';
import { GlanceError, ErrorCode } from '../errors.ts';

export type Activation = 'gelu' | 'gelu_new' | 'relu' | 'quick_gelu';

export const activation = z.enum(['gelu', 'gelu_new', 'relu', 'quick_gelu']);
export const positiveInt = z.number().int().positive();

export function invalidConfig(message: string): GlanceError {
  return new GlanceError(ErrorCode.CheckpointInvalidConfig, `config.json: ${message}`);
}

/** Parses one section of config.json, naming the first offending key in the error. */
export function parsePart<T>(schema: z.ZodType<T>, value: unknown, part: string): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidConfig(`${part}.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid value'}`);
  }
  return result.data;
}

export function checkHeads(hidden: number, heads: number, part: string): void {
  if (hidden % heads !== 0) throw invalidConfig(`${part}: hidden_size ${hidden} is not divisible by num_attention_heads ${heads}`);
}
