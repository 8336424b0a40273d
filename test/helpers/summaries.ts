/** Compares a tensor against a goldens.json summary (shape, mean, std, min, max, first values, values at indices). */
import { expect } from 'vitest';

export interface Summary {
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  sum: number;
  first: number[];
  at?: { index: number[]; value: number }[];
}

function flatIndex(shape: number[], index: number[]): number {
  return index.reduce((flat, i, axis) => flat * shape[axis] + i, 0);
}

export function expectMatchesSummary(values: Float32Array, summary: Summary, tolerance: number): void {
  expect(values.length).toBe(summary.shape.reduce((a, b) => a * b, 1));
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const std = Math.sqrt(squares / values.length);
  expect(Math.abs(mean - summary.mean)).toBeLessThan(tolerance);
  expect(Math.abs(std - summary.std)).toBeLessThan(tolerance * 10);
  expect(Math.abs(min - summary.min)).toBeLessThan(tolerance);
  expect(Math.abs(max - summary.max)).toBeLessThan(tolerance);
  summary.first.forEach((expected, i) => expect(Math.abs(values[i] - expected), `first[${i}]`).toBeLessThan(tolerance));
  for (const { index, value } of summary.at ?? []) {
    expect(Math.abs(values[flatIndex(summary.shape, index)] - value), `at [${index}]`).toBeLessThan(tolerance);
  }
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
