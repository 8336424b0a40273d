/**
 * Progress bars on stderr for long work (conversion, benchmark checkpoints): the one place cli-progress is used.
 * A bar starts on the first report, so callers that only learn the total later need no set-up step.
 */
import cliProgress from 'cli-progress';

export type ProgressReport = (done: number, total: number, detail?: string) => void;

export interface ProgressBar {
  report: ProgressReport;
  stop(): void;
}

/** `unit` scales the numbers shown (e.g. 1e6 with label "MB"); the bar itself always tracks the raw values. */
export function createProgressBar(title: string, unit: { divisor: number; label: string } = { divisor: 1, label: '' }): ProgressBar {
  const bar = new cliProgress.SingleBar(
    { format: `${title} |{bar}| {percentage}% | {shownDone}/{shownTotal}${unit.label ? ` ${unit.label}` : ''} {detail}`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const shown = (value: number) => Math.round(value / unit.divisor);
  let started = false;
  let stopped = false;
  return {
    report(done, total, detail = '') {
      if (stopped) return;
      const payload = { shownDone: shown(done), shownTotal: shown(total), detail };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.update(done, payload);
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
