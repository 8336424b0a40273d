/**
 * Progress bars on stderr for long work (conversion, benchmark checkpoints): the one place cli-progress is used.
 * A bar starts on the first report, so callers that only learn the total later need no set-up step.
 * When stderr is not a terminal (Docker or systemd logs, a pipe) the bar is written as a plain line when it starts,
 * every NOT_TTY_EVERY_MS and when it ends, so an hour-long download does not look like a hang.
 */
import cliProgress from 'cli-progress';

/** How often a bar is written as a line when stderr is not a terminal. */
export const NOT_TTY_EVERY_MS = 10_000;

export type ProgressReport = (done: number, total: number, detail?: string) => void;

export interface ProgressBar {
  report: ProgressReport;
  stop(): void;
}

/** `unit` scales the numbers shown (e.g. 1e6 with label "MB"); the bar itself always tracks the raw values. */
export function createProgressBar(title: string, unit: { divisor: number; label: string } = { divisor: 1, label: '' }): ProgressBar {
  const bar = new cliProgress.SingleBar(
    { format: `${title} |{bar}| {percentage}% | {shownDone}/{shownTotal}${unit.label ? ` ${unit.label}` : ''} {detail}`, hideCursor: true, stream: process.stderr, noTTYOutput: true, notTTYSchedule: NOT_TTY_EVERY_MS },
    cliProgress.Presets.shades_classic,
  );
  // Small totals keep decimals (a 0.4 MB model shows 0.4/0.4 MB, not 0/0 MB): two significant digits at least.
  let decimals = 0;
  const shown = (value: number) => Number((value / unit.divisor).toFixed(decimals));
  let started = false;
  let stopped = false;
  return {
    report(done, total, detail = '') {
      if (stopped) return;
      if (!started) {
        const scaled = total / unit.divisor;
        decimals = scaled >= 10 || !(scaled > 0) ? 0 : scaled >= 1 ? 1 : Math.min(6, 1 - Math.floor(Math.log10(scaled)));
      }
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
