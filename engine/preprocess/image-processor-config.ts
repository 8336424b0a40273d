/**
 * Image processor settings read from a checkpoint's `preprocessor_config.json`, validated with zod and resolved
 * with the defaults of transformers' `BlipImageProcessor` (384x384 bicubic, rescale 1/255, OpenAI-CLIP mean/std).
 */
import { z } from 'zod';
import { ErrorCode, GlanceError } from '../errors.ts';

export interface ImageProcessorConfig {
  width: number;
  height: number;
  /** Pillow resample filter id: 1 = LANCZOS, 2 = BILINEAR, 3 = BICUBIC. */
  resample: 1 | 2 | 3;
  doResize: boolean;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  doConvertRgb: boolean;
}

/** transformers' OPENAI_CLIP_MEAN / OPENAI_CLIP_STD, BlipImageProcessor's defaults. */
export const OPENAI_CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const OPENAI_CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

const PILLOW_FILTER_NAMES: Record<number, string> = {
  0: 'NEAREST',
  1: 'LANCZOS',
  2: 'BILINEAR',
  3: 'BICUBIC',
  4: 'BOX',
  5: 'HAMMING',
};

const dimension = z.number().int().positive().max(16384);
const channelTriple = z.union([
  z.number(),
  z.array(z.number()).length(3),
]);

const sizeSchema = z.union([
  dimension,
  z.object({ height: z.unknown().optional(), width: z.unknown().optional(), shortest_edge: z.unknown().optional(), longest_edge: z.unknown().optional() }),
]);

const rawConfigSchema = z.object({
  do_resize: z.boolean().optional(),
  size: sizeSchema.optional(),
  resample: z.number().int().optional(),
  do_rescale: z.boolean().optional(),
  rescale_factor: z.number().positive().finite().optional(),
  do_normalize: z.boolean().optional(),
  image_mean: channelTriple.optional(),
  image_std: channelTriple.optional(),
  do_convert_rgb: z.boolean().optional(),
});

function invalid(message: string, details?: Record<string, unknown>): GlanceError {
  return new GlanceError(ErrorCode.CheckpointInvalidConfig, message, details);
}

function resolveSize(size: z.infer<typeof sizeSchema> | undefined): { width: number; height: number } {
  if (size === undefined) return { width: 384, height: 384 };
  if (typeof size === 'number') return { width: size, height: size };
  if (size.height !== undefined || size.width !== undefined) {
    const height = dimension.safeParse(size.height);
    const width = dimension.safeParse(size.width);
    if (!height.success || !width.success) {
      throw invalid(
        'preprocessor_config.json: "size" must give both "height" and "width" as positive integers up to 16384; fix the checkpoint\'s preprocessor_config.json.',
        { size },
      );
    }
    return { width: width.data, height: height.data };
  }
  throw invalid(
    `preprocessor_config.json: "size" is ${JSON.stringify(size)}, but BLIP-2 needs a fixed {"height", "width"} (shortest_edge/longest_edge resizing is not supported); set "size": {"height": 224, "width": 224} or use the checkpoint's original preprocessor_config.json.`,
    { size },
  );
}

function resolveTriple(value: number | number[] | undefined, fallback: [number, number, number], key: string): [number, number, number] {
  if (value === undefined) return [...fallback];
  const triple: [number, number, number] = typeof value === 'number' ? [value, value, value] : [value[0], value[1], value[2]];
  if (!triple.every(Number.isFinite)) throw invalid(`preprocessor_config.json: "${key}" must hold finite numbers.`, { [key]: value });
  return triple;
}

/** Validates a parsed `preprocessor_config.json` and resolves it to an {@link ImageProcessorConfig}. */
export function parseImageProcessorConfig(json: unknown): ImageProcessorConfig {
  const parsed = rawConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw invalid(`preprocessor_config.json is invalid (${issues.join('; ')}); fix the checkpoint's preprocessor_config.json.`, { issues });
  }
  const raw = parsed.data;
  const resample = raw.resample ?? 3;
  if (resample !== 1 && resample !== 2 && resample !== 3) {
    const name = PILLOW_FILTER_NAMES[resample] ?? 'unknown';
    throw invalid(
      `preprocessor_config.json: "resample" is ${resample} (${name}); supported are 3 (BICUBIC), 2 (BILINEAR) and 1 (LANCZOS).`,
      { resample },
    );
  }
  if (raw.do_convert_rgb === false) {
    throw invalid('preprocessor_config.json: "do_convert_rgb" is false; glance always converts images to RGB, which BLIP-2 needs (set it to true).', { do_convert_rgb: false });
  }
  const imageStd = resolveTriple(raw.image_std, OPENAI_CLIP_STD, 'image_std');
  if (imageStd.some((s) => s === 0)) throw invalid('preprocessor_config.json: "image_std" must not contain 0.', { image_std: imageStd });
  return {
    ...resolveSize(raw.size),
    resample,
    doResize: raw.do_resize ?? true,
    doRescale: raw.do_rescale ?? true,
    rescaleFactor: raw.rescale_factor ?? 1 / 255,
    doNormalize: raw.do_normalize ?? true,
    imageMean: resolveTriple(raw.image_mean, OPENAI_CLIP_MEAN, 'image_mean'),
    imageStd,
    doConvertRgb: raw.do_convert_rgb ?? true,
  };
}
