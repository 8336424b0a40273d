/** Small statistics shared by the benchmarks. */

/** The median; for an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The 95th percentile (nearest rank). */
export function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}

export interface Distribution {
  median: number;
  p95: number;
}

export function distribution(values: readonly number[]): Distribution {
  return { median: median(values), p95: p95(values) };
}

/** A `| name | median | p95 |` table row, in ms with one decimal. */
export function distributionRow(name: string, d: Distribution): string {
  return `| ${name} | ${d.median.toFixed(1)} | ${d.p95.toFixed(1)} |`;
}
