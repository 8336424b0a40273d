import { describe, expect, it } from 'vitest';
import { encodeWeight } from '../../../../engine/convert/quantize/encode-weight.ts';
import {
  bfloat16BitsToFloat,
  floatToBfloat16Bits,
  floatToHalfBits,
  fromBfloat16,
  fromFloat16,
  halfBitsToFloat,
  toBfloat16,
  toFloat16,
} from '../../../../engine/convert/quantize/half-float.ts';

const isNaNBits = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('float32 → fp16', () => {
  it('maps every fp16 value back to its own bits (NaN to a NaN)', () => {
    for (let h = 0; h < 0x10000; h++) {
      const back = floatToHalfBits(halfBitsToFloat(h));
      if (isNaNBits(h)) expect(isNaNBits(back)).toBe(true);
      else expect(back).toBe(h);
    }
  });

  it('rounds the midpoint between two neighbours to the even one, and anything past it to the nearer one', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const lo = halfBitsToFloat(h);
      const hi = halfBitsToFloat(h + 1);
      const mid = (lo + hi) / 2; // exact in float32 (12 significant bits)
      expect(floatToHalfBits(mid)).toBe(h % 2 === 0 ? h : h + 1);
      expect(floatToHalfBits(-mid)).toBe((h % 2 === 0 ? h : h + 1) | 0x8000);
      expect(floatToHalfBits(Math.fround(mid + (hi - lo) / 64))).toBe(h + 1);
      expect(floatToHalfBits(Math.fround(mid - (hi - lo) / 64))).toBe(h);
    }
  });

  it('overflows to infinity past the largest finite value and flushes below half the smallest subnormal', () => {
    expect(floatToHalfBits(65504)).toBe(0x7bff);
    expect(floatToHalfBits(65519)).toBe(0x7bff);
    expect(floatToHalfBits(65520)).toBe(0x7c00); // the tie rounds to even: Infinity
    expect(floatToHalfBits(-1e10)).toBe(0xfc00);
    expect(floatToHalfBits(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal: even = 0
    expect(floatToHalfBits(Math.fround(2 ** -25 * 1.01))).toBe(1);
    expect(floatToHalfBits(1e-10)).toBe(0);
    expect(floatToHalfBits(-0)).toBe(0x8000);
  });

  it('converts arrays both ways', () => {
    const values = Float32Array.from([0, 1, -2.5, 1 / 3, 1e-6, 70000]);
    expect(Array.from(fromFloat16(toFloat16(values)))).toEqual([0, 1, -2.5, halfBitsToFloat(0x3555), halfBitsToFloat(floatToHalfBits(1e-6)), Infinity]);
  });
});

describe('float32 → bfloat16', () => {
  it('keeps bf16 values, rounds ties to even, keeps NaN and infinities', () => {
    for (let h = 0; h < 0x10000; h += 7) {
      const v = bfloat16BitsToFloat(h);
      if (Number.isNaN(v)) expect(Number.isNaN(bfloat16BitsToFloat(floatToBfloat16Bits(v)))).toBe(true);
      else expect(floatToBfloat16Bits(v)).toBe(h);
    }
    // 1 + 2^-8 is the midpoint between 1 and 1 + 2^-7: ties to even (1); 1 + 3·2^-8 → 1 + 2^-6 (even)
    expect(floatToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(floatToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(floatToBfloat16Bits(Math.fround(1 + 2 ** -8 + 2 ** -20))).toBe(0x3f81);
    expect(floatToBfloat16Bits(Infinity)).toBe(0x7f80);
    expect(Number.isNaN(bfloat16BitsToFloat(floatToBfloat16Bits(NaN)))).toBe(true);
    expect(floatToBfloat16Bits(3.4028234663852886e38)).toBe(0x7f80); // rounds up past the largest finite bf16
  });

  it('array conversion equals the scalar one', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 20) - 10));
    values[3] = NaN;
    const bits = toBfloat16(values);
    for (let i = 0; i < values.length; i++) {
      if (i === 3) expect(Number.isNaN(fromBfloat16(bits)[i])).toBe(true);
      else expect(bits[i]).toBe(floatToBfloat16Bits(values[i]));
    }
  });
});

describe('encoding a checkpoint tensor in 16 bits', () => {
  const stored = (kind: 'float16' | 'bfloat16') => ({ key: 'w', checkpointName: 'w', shape: [3], encoding: { kind } as const });

  it('refuses float16 for values beyond its range (INVALID_INPUT), where bfloat16 keeps them', () => {
    const values = Float32Array.from([1, -70000, 2]);
    expect(() => encodeWeight(values, stored('float16'))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/beyond float16's range.*bf16/) }));
    const [{ bytes }] = encodeWeight(values, stored('bfloat16'));
    expect(Array.from(fromBfloat16(new Uint16Array(bytes.buffer, bytes.byteOffset, 3)))).toEqual([1, -70144, 2]);
  });

  it('keeps infinities and NaN a checkpoint already holds', () => {
    const [{ bytes }] = encodeWeight(Float32Array.from([Infinity, NaN, 0.5]), stored('float16'));
    const back = fromFloat16(new Uint16Array(bytes.buffer, bytes.byteOffset, 3));
    expect(back[0]).toBe(Infinity);
    expect(Number.isNaN(back[1])).toBe(true);
    expect(back[2]).toBe(0.5);
  });
});
