/**
 * Pillow's resampling kernels (src/libImaging/Resample.c) for the filters BLIP-style processors use:
 * LANCZOS (1), BILINEAR (2) and BICUBIC (3, a = -0.5), each with its support radius at scale 1.
 */

export type PillowFilterId = 1 | 2 | 3;

export interface PillowFilter {
  readonly name: string;
  readonly support: number;
  readonly weight: (x: number) => number;
}

function bilinear(x: number): number {
  if (x < 0) x = -x;
  if (x < 1) return 1 - x;
  return 0;
}

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  x = x * Math.PI;
  return Math.sin(x) / x;
}

function lanczos(x: number): number {
  if (-3 <= x && x < 3) return sinc(x) * sinc(x / 3);
  return 0;
}

export const PILLOW_FILTERS: Readonly<Record<PillowFilterId, PillowFilter>> = {
  1: { name: 'LANCZOS', support: 3, weight: lanczos },
  2: { name: 'BILINEAR', support: 1, weight: bilinear },
  3: { name: 'BICUBIC', support: 2, weight: bicubic },
};
