import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { decodeImage } from '../../../engine/preprocess/decode-image.ts';

const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);
const photo = (name: string) => readFileSync(new URL(`images/${name}`, FIXTURES));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GlanceError);
    expect((error as GlanceError).message.length).toBeGreaterThan(20);
    return (error as GlanceError).code;
  }
  throw new Error('expected a GlanceError');
}

/** astronaut.png with its IHDR rewritten to claim width × height (CRC fixed), pixel data unchanged. */
function pngClaiming(width: number, height: number): Buffer {
  const png = Buffer.from(photo('astronaut.png'));
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('decodeImage refuses bad input with coded errors', () => {
  it('0 bytes → ImageEmpty', async () => {
    expect(await codeOf(decodeImage(new Uint8Array(0)))).toBe(ErrorCode.ImageEmpty);
  });

  it('non-image bytes → ImageUnsupported', async () => {
    expect(await codeOf(decodeImage(Buffer.from('this is a text file, not a picture\n'.repeat(20))))).toBe(ErrorCode.ImageUnsupported);
    expect(await codeOf(decodeImage(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n')))).toBe(ErrorCode.ImageUnsupported);
  });

  it('SVG → ImageUnsupported (not rendered)', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>';
    expect(await codeOf(decodeImage(Buffer.from(svg)))).toBe(ErrorCode.ImageUnsupported);
    expect(await codeOf(decodeImage(Buffer.from(`<?xml version="1.0"?>\n${svg}`)))).toBe(ErrorCode.ImageUnsupported);
  });

  it('truncated JPEG → ImageCorrupt', async () => {
    const jpeg = photo('rocket.jpg');
    expect(await codeOf(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))))).toBe(ErrorCode.ImageCorrupt);
    expect(await codeOf(decodeImage(jpeg.subarray(0, jpeg.length - 200)))).toBe(ErrorCode.ImageCorrupt);
  });

  it('truncated PNG → ImageCorrupt', async () => {
    const png = photo('chelsea.png');
    expect(await codeOf(decodeImage(png.subarray(0, Math.floor(png.length * 0.6))))).toBe(ErrorCode.ImageCorrupt);
    expect(await codeOf(decodeImage(png.subarray(0, png.length - 100)))).toBe(ErrorCode.ImageCorrupt);
  });

  it('header only (a few bytes of a PNG) → ImageCorrupt', async () => {
    expect(await codeOf(decodeImage(photo('chelsea.png').subarray(0, 40)))).toBe(ErrorCode.ImageCorrupt);
  });

  it('above the configurable pixel limit → ImageTooLarge', async () => {
    expect(await codeOf(decodeImage(photo('chelsea.png'), { maxPixels: 451 * 300 - 1 }))).toBe(ErrorCode.ImageTooLarge);
    await expect(decodeImage(photo('chelsea.png'), { maxPixels: 451 * 300 })).resolves.toMatchObject({ width: 451, height: 300 });
  });

  it('says the sizes in MP, or in pixels where MP would not tell them apart (never "0.0 MP")', async () => {
    const message = async (maxPixels: number) => ((await decodeImage(photo('chelsea.png'), { maxPixels }).catch((e: unknown) => e)) as GlanceError).message;
    expect(await message(100_000)).toBe('The image is 451x300 (135,300 pixels), above the limit of 100,000 pixels; send a smaller image.');
    expect(await message(1000)).toBe('The image is 451x300 (135,300 pixels), above the limit of 1,000 pixels; send a smaller image.');
    const wide = await decodeImage(pngClaiming(2000, 1000), { maxPixels: 1_000_000 }).catch((e: unknown) => e);
    expect((wide as GlanceError).message).toBe('The image is 2000x1000 (2.0 MP), above the limit of 1.0 MP; send a smaller image.');
  });

  it('a decompression bomb header (60000 x 60000) is refused from its header, quickly', async () => {
    const started = performance.now();
    const error = await decodeImage(pngClaiming(60_000, 60_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GlanceError);
    expect((error as GlanceError).code).toBe(ErrorCode.ImageTooLarge);
    expect((error as GlanceError).details).toMatchObject({ width: 60_000, height: 60_000, maxPixels: 40_000_000 });
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('decodeImage takes the first frame of animations', () => {
  const red = { r: 255, g: 0, b: 0 };
  const blue = { r: 0, g: 0, b: 255 };
  const green = { r: 0, g: 255, b: 0 };
  const frame = (background: typeof red) => sharp({ create: { width: 16, height: 12, channels: 3, background } }).png().toBuffer();

  it.each(['gif', 'webp'] as const)('animated %s', async (format) => {
    const frames = [await frame(red), await frame(blue), await frame(green)];
    const animation = await sharp(frames, { join: { animated: true } })
      .toFormat(format, format === 'webp' ? { lossless: true, delay: [100, 100, 100] } : { delay: [100, 100, 100] })
      .toBuffer();
    expect((await sharp(animation).metadata()).pages).toBe(3);
    const image = await decodeImage(animation);
    expect([image.width, image.height]).toEqual([16, 12]);
    for (let i = 0; i < image.width * image.height; i++) {
      expect([image.data[i * 3], image.data[i * 3 + 1], image.data[i * 3 + 2]]).toEqual([255, 0, 0]);
    }
  });
});
