/** `glance convert <checkpoint-dir> --out <bundle-dir> [--dtype fp32]` with a progress bar. */
import cliProgress from 'cli-progress';
import { convertCheckpoint } from '../../engine/convert/convert-checkpoint.ts';

export async function runConvert(checkpointDir: string, options: { out: string; dtype: string; progress: boolean }): Promise<void> {
  const bar = options.progress
    ? new cliProgress.SingleBar({ format: 'converting |{bar}| {percentage}% | {done}/{total} MB | {tensor}', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : undefined;
  const started = performance.now();
  let barStarted = false;
  try {
    const result = await convertCheckpoint({
      checkpointDir,
      outDir: options.out,
      dtype: options.dtype,
      onProgress: ({ doneBytes, totalBytes, tensor }) => {
        if (!bar) return;
        const mb = (bytes: number) => Math.round(bytes / 1e6);
        if (!barStarted) {
          bar.start(totalBytes, 0, { done: 0, total: mb(totalBytes), tensor });
          barStarted = true;
        }
        bar.update(doneBytes, { done: mb(doneBytes), tensor });
      },
    });
    bar?.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`wrote ${result.outDir}: ${result.tensorCount} tensors, ${(result.weightBytes / 1e9).toFixed(2)} GB of weights, in ${seconds} s\n`);
  } catch (error) {
    bar?.stop();
    throw error;
  }
}
