/**
 * uint8 RGB → CHW float32 exactly as transformers' BlipImageProcessor computes it with numpy: rescale as
 * `float32(uint8 * rescale_factor)` (float64 product), then `(x - mean) / std` in float32 arithmetic (numpy casts
 * mean/std to the image's float32 dtype). Every output depends on one byte and its channel, so a 3 × 256 lookup
 * table holds all possible values.
 */
import type { ImageProcessorConfig } from './image-processor-config.ts';
import type { RgbImage } from './rgb-image.ts';

const f32 = Math.fround;

/** The float32 value transformers produces for byte `v` of channel `c`. */
export function pixelValueOf(v: number, c: number, config: ImageProcessorConfig): number {
  let x = config.doRescale ? f32(v * config.rescaleFactor) : f32(v);
  if (config.doNormalize) {
    x = f32(f32(x - f32(config.imageMean[c])) / f32(config.imageStd[c]));
  }
  return x;
}

/** 3 × 256 table: entry `c * 256 + v`. */
export function buildPixelValueTable(config: ImageProcessorConfig): Float32Array {
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) table[c * 256 + v] = pixelValueOf(v, c, config);
  }
  return table;
}

/** Interleaved RGB bytes → planar CHW float32 `pixel_values` (without the batch dimension). */
export function toPixelValues(image: RgbImage, config: ImageProcessorConfig): Float32Array {
  const table = buildPixelValueTable(config);
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  const src = image.data;
  for (let i = 0, j = 0; i < plane; i++, j += 3) {
    out[i] = table[src[j]];
    out[plane + i] = table[256 + src[j + 1]];
    out[2 * plane + i] = table[512 + src[j + 2]];
  }
  return out;
}
