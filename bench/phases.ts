/**
 * Benchmark phases that must run in a process of their own (so the peak memory they report is theirs alone):
 * `glance bench-phase convert|infer …` prints one JSON line (and `convert` its progress on stderr).
 */
import { readFile } from 'node:fs/promises';
import { convertCheckpoint } from '../engine/convert/convert-checkpoint.ts';
import { benchInference } from './model-bench.ts';

export interface ConvertPhaseResult {
  ms: number;
  weightBytes: number;
  peakRssBytes: number;
}

export async function runPhase(phase: string, args: string[]): Promise<void> {
  let result: unknown;
  if (phase === 'convert') {
    const [checkpointDir, outDir, dtype, blockSize, accuracyLevel] = args;
    const started = performance.now();
    let reported = -1;
    const converted = await convertCheckpoint({
      checkpointDir,
      outDir,
      dtype: dtype || undefined,
      blockSize: blockSize || undefined,
      accuracyLevel: accuracyLevel || undefined,
      // progress lines on stderr, read by run-bench.ts (whole percents only)
      onProgress: ({ doneBytes, totalBytes }) => {
        const percent = Math.floor((doneBytes / totalBytes) * 100);
        if (percent !== reported) process.stderr.write(`progress ${doneBytes} ${totalBytes}\n`);
        reported = percent;
      },
    });
    result = { ms: performance.now() - started, weightBytes: converted.weightBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024 } satisfies ConvertPhaseResult;
  } else if (phase === 'infer') {
    const [bundleDir, imagePath, threads, provider = 'cpu'] = args;
    if (provider !== 'cpu' && provider !== 'cuda') throw new Error(`unknown provider ${provider}`);
    result = await benchInference(bundleDir, await readFile(imagePath), { threads: Number(threads) || undefined, provider, newTokens: 20, batches: [1, 4], repeats: 3 });
  } else {
    throw new Error(`unknown bench phase ${phase}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
