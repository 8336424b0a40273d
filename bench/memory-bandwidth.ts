/**
 * Measures this machine's memory copy bandwidth with one worker thread per core, each copying its own 256 MiB
 * buffer again and again (far larger than any cache). Reported the STREAM way: bytes read + bytes written per second,
 * best of several trials (a shared host is noisy; the best trial is what the memory system can do).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const src = new Float64Array(workerData.bytes / 8).fill(1.5);
const dst = new Float64Array(workerData.bytes / 8);
dst.set(src);
parentPort.postMessage('ready');
parentPort.on('message', () => {
  const start = performance.now();
  for (let i = 0; i < workerData.iterations; i++) dst.set(src);
  parentPort.postMessage({ ms: performance.now() - start, bytes: 2 * workerData.bytes * workerData.iterations });
});
`;

export interface BandwidthResult {
  threads: number;
  gbPerSecond: number;
}

export async function measureCopyBandwidth(threads = availableParallelism(), bytes = 256 << 20, iterations = 10, trials = 3): Promise<BandwidthResult> {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes, iterations } }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    let best = 0;
    for (let trial = 0; trial < trials; trial++) {
      const started = performance.now();
      const results = await Promise.all(
        workers.map((w) => new Promise<{ ms: number; bytes: number }>((resolve) => {
          w.once('message', resolve);
          w.postMessage('go');
        })),
      );
      const seconds = (performance.now() - started) / 1000;
      best = Math.max(best, results.reduce((sum, r) => sum + r.bytes, 0) / seconds / 1e9);
    }
    return { threads, gbPerSecond: best };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
