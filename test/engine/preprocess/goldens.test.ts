import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../engine/preprocess/decode-image.ts';
import { parseImageProcessorConfig } from '../../../engine/preprocess/image-processor-config.ts';
import { preprocessImage } from '../../../engine/preprocess/preprocess.ts';

const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);

const PHOTOS = [
  'astronaut.png',
  'chelsea.png',
  'coffee.png',
  'rocket.jpg',
  'camera.png',
  'chelsea_rgba.png',
  'rocket_portrait_exif6.jpg',
] as const;

function readPhoto(name: string): Buffer {
  return readFileSync(new URL(`images/${name}`, FIXTURES));
}

function readFixtureJson(path: string): any {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8'));
}

function readFloat32Bin(path: string): Float32Array {
  const bytes = readFileSync(new URL(path, FIXTURES));
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

const goldens = readFixtureJson('tiny-blip2-opt/goldens.json');
const config = parseImageProcessorConfig(readFixtureJson('tiny-blip2-opt/preprocessor_config.json'));

function at(values: Float32Array, [n, c, y, x]: number[], h: number, w: number): number {
  return values[((n * 3 + c) * h + y) * w + x];
}

describe('decode matches transformers load_image (Pillow open, exif_transpose, convert RGB)', () => {
  it.each(PHOTOS)('%s: RGB bytes identical', async (name) => {
    const golden = goldens.images[name].loaded_rgb;
    const image = await decodeImage(readPhoto(name));
    expect([image.width, image.height]).toEqual(golden.size_wh);
    const first = Array.from({ length: golden.first_pixels_rgb.length }, (_, i) => Array.from(image.data.subarray(i * 3, i * 3 + 3)));
    expect(first).toEqual(golden.first_pixels_rgb);
    expect(createHash('sha256').update(image.data).digest('hex')).toBe(golden.sha256_rgb_bytes);
  });
});

describe('pixel_values match BlipImageProcessor', () => {
  it('astronaut.png equals the float32 dump bit for bit', async () => {
    const expected = readFloat32Bin('tiny-blip2-opt/astronaut_pixel_values.bin');
    const result = await preprocessImage(readPhoto('astronaut.png'), config);
    expect(result.dims).toEqual(goldens.bins['astronaut_pixel_values.bin'].shape);
    expect(result.pixelValues.length).toBe(expected.length);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - result.pixelValues[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    expect(Buffer.from(result.pixelValues.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it.each(PHOTOS)('%s: summary statistics and sampled values', async (name) => {
    const golden = goldens.images[name].pixel_values;
    const { pixelValues, dims } = await preprocessImage(readPhoto(name), config);
    expect(dims).toEqual(golden.shape);
    const [, , h, w] = dims;
    let sum = 0;
    let absSum = 0;
    let sumSq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of pixelValues) {
      sum += v;
      absSum += Math.abs(v);
      sumSq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const mean = sum / pixelValues.length;
    const std = Math.sqrt(sumSq / pixelValues.length - mean * mean);
    expect(Math.abs(sum - golden.sum)).toBeLessThan(1e-6 * pixelValues.length);
    expect(Math.abs(absSum - golden.abs_sum)).toBeLessThan(1e-6 * pixelValues.length);
    expect(mean).toBeCloseTo(golden.mean, 9);
    expect(std).toBeCloseTo(golden.std, 6);
    expect(min).toBe(golden.min);
    expect(max).toBe(golden.max);
    golden.first.forEach((value: number, i: number) => expect(Math.abs(pixelValues[i] - value)).toBeLessThanOrEqual(1e-6));
    for (const { index, value } of golden.at) expect(Math.abs(at(pixelValues, index, h, w) - value)).toBeLessThanOrEqual(1e-6);
  });

  it('chelsea_rgba.png (alpha dropped, not composited) equals chelsea.png exactly', async () => {
    const rgba = await preprocessImage(readPhoto('chelsea_rgba.png'), config);
    const rgb = await preprocessImage(readPhoto('chelsea.png'), config);
    expect(Buffer.from(rgba.pixelValues.buffer).equals(Buffer.from(rgb.pixelValues.buffer))).toBe(true);
  });

  it('reports per-step timings', async () => {
    const { timingsMs } = await preprocessImage(readPhoto('rocket.jpg'), config);
    for (const ms of Object.values(timingsMs)) expect(ms).toBeGreaterThanOrEqual(0);
  });
});
