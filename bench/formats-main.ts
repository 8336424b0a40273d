/**
 * `npm run formats [-- --work <dir>]`: the per-format accuracy report (bench/formats-report.ts) with a progress bar;
 * prints the markdown tables of docs/benchmarks.md, "Weight formats: accuracy on the reference fixtures".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProgressBar } from '../cli/progress-bar.ts';
import { renderFormatsReport, runFormatsReport } from './formats-report.ts';

const workFlag = process.argv.indexOf('--work');
const work = workFlag > 0 ? process.argv[workFlag + 1] : mkdtempSync(join(tmpdir(), 'glance-formats-'));
const bar = createProgressBar('formats report', { divisor: 1, label: 'bundles' });
try {
  const rows = await runFormatsReport({ work, onStep: (label, done, total) => bar.report(done, total, label) });
  bar.stop();
  process.stdout.write(renderFormatsReport(rows));
} finally {
  bar.stop();
  if (workFlag < 0) rmSync(work, { recursive: true, force: true });
}
