/** createProgressBar on a stderr that is not a terminal (as under vitest): plain lines, in units that suit the total. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressBar } from '../../cli/progress-bar.ts';

function captureStderr(): () => string {
  let written = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  return () => {
    spy.mockRestore();
    return written;
  };
}

afterEach(() => vi.restoreAllMocks());

describe('createProgressBar', () => {
  it('writes its start and end as lines when stderr is not a terminal', () => {
    const read = captureStderr();
    const bar = createProgressBar('converting', { divisor: 1e6, label: 'MB' });
    bar.report(0, 250e6);
    bar.report(250e6, 250e6);
    bar.stop();
    const lines = read().split('\n').filter((line) => line.length > 0);
    expect(lines[0]).toMatch(/^converting \|.*\| 0% \| 0\/250 MB/);
    expect(lines.at(-1)).toMatch(/^converting \|.*\| 100% \| 250\/250 MB/);
  });

  it('keeps two significant digits for totals below 10 units (a tiny model is not 0/0 MB)', () => {
    const read = captureStderr();
    const bar = createProgressBar('converting', { divisor: 1e6, label: 'MB' });
    bar.report(123_456, 432_100);
    bar.report(432_100, 432_100);
    bar.stop();
    const small = read();
    expect(small).toMatch(/\| 0\.12\/0\.43 MB/);
    expect(small).toMatch(/\| 100% \| 0\.43\/0\.43 MB/);

    const readMid = captureStderr();
    const mid = createProgressBar('converting', { divisor: 1e6, label: 'MB' });
    mid.report(7_300_000, 7_300_000);
    mid.stop();
    expect(readMid()).toMatch(/\| 7\.3\/7\.3 MB/);
  });
});
