/** Progress bars on stderr for making a model ready: one per downloaded file, one for the conversion. */
import type { ModelProgress } from '../src/models/model-progress.ts';
import { createProgressBar, type ProgressBar } from './progress-bar.ts';

export function modelProgressBars(): { report: (progress: ModelProgress) => void; stop: () => void } {
  const bars = new Map<string, ProgressBar>();
  return {
    report(progress) {
      const key = `${progress.phase}:${progress.file ?? ''}`;
      let bar = bars.get(key);
      if (!bar) {
        bar = createProgressBar(progress.phase === 'download' ? `downloading ${progress.file ?? ''}` : 'converting', { divisor: 1e6, label: 'MB' });
        bars.set(key, bar);
      }
      bar.report(progress.done, progress.total);
      if (progress.done >= progress.total) bar.stop();
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}
