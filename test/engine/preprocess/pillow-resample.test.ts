import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../engine/errors.ts';
import { horizontalPassParallel } from '../../../engine/preprocess/parallel-horizontal.ts';
import { resizePillow, resizePillowWith, type RgbImage } from '../../../engine/preprocess/pillow-resample.ts';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

describe('resizePillow (bit-exactness is checked against the transformers goldens in goldens.test.ts)', () => {
  it('returns an equal copy when the size does not change', () => {
    const image = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i * 13) };
    const out = resizePillow(image, 3, 2, 3);
    expect(out.data).toEqual(image.data);
    expect(out.data).not.toBe(image.data);
  });

  it.each([1, 2, 3] as const)('keeps a flat colour flat up and down (filter %i)', (filter) => {
    for (const [w, h] of [[224, 224], [7, 300], [1000, 3], [1, 1]]) {
      const out = resizePillow(solid(123, 77, [0, 128, 255]), w, h, filter);
      expect([out.width, out.height, out.data.length]).toEqual([w, h, w * h * 3]);
      for (let i = 0; i < w * h; i++) expect([out.data[i * 3], out.data[i * 3 + 1], out.data[i * 3 + 2]]).toEqual([0, 128, 255]);
    }
  });

  it('only the changed dimension is filtered (a column stays untouched by a height-only resize)', () => {
    const image = solid(4, 10, [0, 0, 0]);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 4; x++) image.data[(y * 4 + x) * 3] = x * 60;
    const out = resizePillow(image, 4, 5, 3);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 4; x++) expect(out.data[(y * 4 + x) * 3]).toBe(x * 60);
  });

  it('refuses a buffer that does not match its size', () => {
    expect(() => resizePillow({ width: 10, height: 10, data: new Uint8Array(10) }, 5, 5, 3)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => resizePillow(solid(2, 2, [1, 2, 3]), 0, 5, 3)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });

  it('the worker-split horizontal pass gives the same bytes as the single-thread one', async () => {
    const width = 3001;
    const height = 2000;
    const data = new Uint8Array(width * height * 3);
    let state = 12345;
    for (let i = 0; i < data.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      data[i] = state >>> 24;
    }
    const image = { width, height, data };
    for (const filter of [3, 1] as const) {
      const parallel = await resizePillowWith(image, 224, 224, filter, horizontalPassParallel);
      expect(Buffer.from(parallel.data).equals(Buffer.from(resizePillow(image, 224, 224, filter).data))).toBe(true);
    }
  });
});
