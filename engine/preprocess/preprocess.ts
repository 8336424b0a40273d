/**
 * The whole image path of the engine: encoded bytes → Pillow-exact decode → Pillow-exact resize → BLIP-2
 * `pixel_values` [1, 3, H, W] float32, with per-step timings.
 */
import { GlanceError, ErrorCode } from '../errors.ts';
import { decodeImage, type DecodeLimits } from './decode-image.ts';
import type { ImageProcessorConfig } from './image-processor-config.ts';
import { horizontalPassParallel } from './parallel-horizontal.ts';
import { resizePillowWith } from './pillow-resample.ts';
import { toPixelValues } from './pixel-values.ts';

export interface PreprocessResult {
  pixelValues: Float32Array;
  dims: [1, 3, number, number];
  timingsMs: { decode: number; resize: number; normalize: number };
}

export async function preprocessImage(bytes: Uint8Array, config: ImageProcessorConfig, limits?: Partial<DecodeLimits>): Promise<PreprocessResult> {
  const t0 = performance.now();
  const decoded = await decodeImage(bytes, limits);
  const t1 = performance.now();
  if (!config.doResize && (decoded.width !== config.width || decoded.height !== config.height)) {
    throw new GlanceError(
      ErrorCode.ImageUnsupported,
      `This model's preprocessor does not resize (do_resize is false), so images must be ${config.width}x${config.height}; this one is ${decoded.width}x${decoded.height}.`,
      { width: decoded.width, height: decoded.height },
    );
  }
  const resized = config.doResize ? await resizePillowWith(decoded, config.width, config.height, config.resample, horizontalPassParallel) : decoded;
  const t2 = performance.now();
  const pixelValues = toPixelValues(resized, config);
  const t3 = performance.now();
  return {
    pixelValues,
    dims: [1, 3, resized.height, resized.width],
    timingsMs: { decode: t1 - t0, resize: t2 - t1, normalize: t3 - t2 },
  };
}
