/** `glance convert <checkpoint-dir> --out <bundle-dir> [--dtype fp32|fp16|bf16|int8|int4] [--block-size n] [--accuracy-level n]` with a progress bar. */
import { convertCheckpoint } from '../engine/convert/convert-checkpoint.ts';
import { ErrorCode, GlanceError } from '../engine/errors.ts';
import { parseModelSpec } from '../src/models/model-spec.ts';
import { createProgressBar } from './progress-bar.ts';

export async function runConvert(checkpointDir: string, options: { out: string; dtype: string; blockSize?: string; accuracyLevel?: string; progress: boolean }): Promise<void> {
  const bar = options.progress ? createProgressBar('converting', { divisor: 1e6, label: 'MB' }) : undefined;
  const started = performance.now();
  try {
    const result = await convertCheckpoint({
      checkpointDir,
      outDir: options.out,
      dtype: options.dtype,
      blockSize: options.blockSize,
      accuracyLevel: options.accuracyLevel,
      onProgress: ({ doneBytes, totalBytes, tensor }) => bar?.report(doneBytes, totalBytes, tensor),
    });
    bar?.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const q = result.manifest.quantization;
    const format = q ? `${result.manifest.dtype}, block ${q.blockSize}, accuracy level ${q.accuracyLevel}` : result.manifest.dtype;
    process.stderr.write(`wrote ${result.outDir} (${format}): ${result.tensorCount} tensors, ${byteSize(result.weightBytes)} of weights, in ${seconds} s\n`);
  } catch (error) {
    throw await withHubHint(error, checkpointDir);
  } finally {
    bar?.stop();
  }
}

/** A missing folder whose name is a Hub id (Salesforce/blip2-opt-2.7b): say that convert reads folders and what takes Hub ids. */
async function withHubHint(error: unknown, checkpointDir: string): Promise<unknown> {
  if (!(error instanceof GlanceError) || error.code !== ErrorCode.CheckpointMissingFile) return error;
  const spec = await parseModelSpec(checkpointDir).catch(() => undefined);
  if (spec?.kind !== 'hub') return error;
  const hint = `glance convert reads a local checkpoint folder, and "${checkpointDir}" looks like a Hub id: \`glance start --model ${checkpointDir}\` (or caption/ask --model) downloads and converts it once into the data directory (GLANCE_DATA_DIR).`;
  return new GlanceError(error.code, `${error.message} ${hint}`, error.details, { cause: error });
}

/** 1.23 GB, 4.5 MB or 812 kB: three significant figures at most, in the unit that suits the size. */
function byteSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}
