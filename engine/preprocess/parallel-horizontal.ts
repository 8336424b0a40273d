/**
 * Splits the horizontal resampling pass (the costly one: every source row) between the calling thread and one
 * helper worker thread, which pays on multi-core hosts for large photos. The worker runs the very same kernel
 * (its source text, evaluated in the worker, so no TypeScript loader is needed there) on a shared copy of its
 * rows; small jobs, single-core hosts, or a failing worker fall back to the calling thread. The worker is
 * created on first use and does not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { horizontalPassKernel } from './horizontal-kernel.ts';
import type { HorizontalRunner } from './pillow-resample.ts';

/** Below this many multiply-adds (rows × output columns × taps) a thread hand-off costs more than it saves. */
const MIN_PARALLEL_WORK = 20_000_000;

interface Job {
  src: Uint8Array;
  inWidth: number;
  rowStart: number;
  rowEnd: number;
  ksize: number;
  bounds: Int32Array;
  weights: Int32Array;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const kernel = ${horizontalPassKernel.toString()};
parentPort.on('message', (job) => {
  try {
    kernel(job.src, job.inWidth, job.rowStart, job.rowEnd, job.dst, job.ksize, job.bounds, job.weights);
    parentPort.postMessage({ ok: true });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message || error) });
  }
});
`;

let worker: Worker | undefined;
let workerBroken = false;
let busy = false;

function getWorker(): Worker | undefined {
  if (workerBroken) return undefined;
  if (!worker) {
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      worker.on('error', () => {
        workerBroken = true;
        worker = undefined;
      });
    } catch {
      workerBroken = true;
      return undefined;
    }
  }
  return worker;
}

function runInWorker(w: Worker, job: Job, dst: Uint8ClampedArray): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { ok: boolean; message?: string }) => {
      w.off('error', onError);
      reply.ok ? resolve() : reject(new Error(reply.message));
    };
    const onError = (error: Error) => {
      w.off('message', onMessage);
      reject(error);
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.postMessage({ ...job, dst });
  });
}

/** Copies `src` rows `rowStart..rowEnd` (plus padding for the kernel's 32-bit reads) into shared memory. */
function sharedRows(src: Uint8Array, stride: number, rowStart: number, rowEnd: number): Uint8Array {
  const bytes = (rowEnd - rowStart) * stride;
  const shared = new Uint8Array(new SharedArrayBuffer(bytes + 4));
  shared.set(src.subarray(rowStart * stride, rowEnd * stride));
  return shared;
}

/** Horizontal pass over `rowStart..rowEnd` into `dst`, the later rows on the helper worker when it pays. */
export const horizontalPassParallel: HorizontalRunner<Promise<void>> = async (src, inWidth, rowStart, rowEnd, dst, coeffs) => {
  const { ksize, bounds, weights } = coeffs;
  const outWidth = bounds.length >> 1;
  const rows = rowEnd - rowStart;
  const work = rows * outWidth * (weights.length / Math.max(outWidth, 1));
  const w = !busy && work >= MIN_PARALLEL_WORK && rows >= 4 && availableParallelism() > 1 ? getWorker() : undefined;
  if (!w) {
    horizontalPassKernel(src, inWidth, rowStart, rowEnd, dst, ksize, bounds, weights);
    return;
  }
  const stride = inWidth * 3;
  const outStride = outWidth * 3;
  const split = rowStart + (rows >> 1);
  const workerRows = rowEnd - split;
  const workerDst = new Uint8ClampedArray(new SharedArrayBuffer(workerRows * outStride));
  const job: Job = { src: sharedRows(src, stride, split, rowEnd), inWidth, rowStart: 0, rowEnd: workerRows, ksize, bounds, weights };
  busy = true;
  w.ref();
  try {
    const pending = runInWorker(w, job, workerDst);
    horizontalPassKernel(src, inWidth, rowStart, split, dst, ksize, bounds, weights);
    try {
      await pending;
      dst.set(workerDst, (split - rowStart) * outStride);
    } catch {
      workerBroken = true;
      horizontalPassKernel(src, inWidth, split, rowEnd, dst.subarray((split - rowStart) * outStride), ksize, bounds, weights);
    }
  } finally {
    busy = false;
    w.unref();
  }
};
