/**
 * Inference benchmark of one bundle, run in its own process so its peak memory is its own: vision tower, prefill,
 * decode per token at batch 1 and 4 (greedy, EOS suppressed so every run makes the same number of tokens), and
 * the weight bytes one decode step has to read.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { decodeModel } from '../engine/convert/onnx/onnx-proto.ts';
import { median } from './statistics.ts';

export interface BatchTimings {
  batch: number;
  visionMs: number;
  prefillMs: number;
  decodeMsPerToken: number;
  tokensPerSecond: number;
  /** vision + prefill: the time until the first new token exists */
  firstTokenMs: number;
  /** vision + prefill + all decode steps of a `newTokens` caption */
  captionMs: number;
}

export interface InferenceBenchResult {
  provider: string;
  threads: number;
  newTokens: number;
  loadMs: number;
  weightBytes: number;
  decodeStepWeightBytes: number;
  batches: BatchTimings[];
  peakRssBytes: number;
  /** The batch-1 greedy caption's tokens (to compare weight formats with fp32 on the same random weights). */
  captionSequence: number[];
}


/**
 * Bytes of every decoder weight a decode step reads in full. Tables read only through a Gather (OPT's positions, T5's
 * token embeddings) contribute one row per token and are left out.
 */
async function decodeStepWeightBytes(bundleDir: string, decoderFile: string): Promise<number> {
  const graph = decodeModel(await readFile(join(bundleDir, decoderFile))).graph;
  const readInFull = new Set<string>();
  for (const node of graph?.node ?? []) {
    const gather = node.opType === 'Gather' || node.opType === 'GatherBlockQuantized';
    (node.input ?? []).forEach((name, i) => {
      if (!(gather && i === 0)) readInFull.add(name);
    });
  }
  let bytes = 0;
  for (const tensor of graph?.initializer ?? []) {
    if (!tensor.name || !readInFull.has(tensor.name)) continue;
    const length = tensor.externalData?.find((entry) => entry.key === 'length');
    if (length?.value) bytes += Number(length.value);
  }
  return bytes;
}

export async function benchInference(bundleDir: string, image: Uint8Array, options: { threads?: number; provider?: 'cpu' | 'cuda'; newTokens: number; batches: number[]; repeats: number }): Promise<InferenceBenchResult> {
  const loadStarted = performance.now();
  const engine = await Engine.open({ bundleDir, provider: options.provider ?? 'cpu', threads: options.threads });
  const loadMs = performance.now() - loadStarted;
  try {
    const generation = { maxNewTokens: options.newTokens, minNewTokens: options.newTokens };
    // warm-up: first runs allocate arenas and pre-pack weights
    const [warm] = await engine.encodeImages([image]);
    await engine.generate([{ queryEmbeds: warm.queryEmbeds, prompt: '' }], { maxNewTokens: 2 });

    const batches: BatchTimings[] = [];
    let captionSequence: number[] = [];
    for (const batch of options.batches) {
      const runs: Omit<BatchTimings, 'batch'>[] = [];
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const embeddings = await engine.encodeImages(Array.from({ length: batch }, () => image));
        const visionMs = embeddings.reduce((sum, e) => sum + e.timingsMs.vision, 0);
        const outputs = await engine.generate(embeddings.map((e) => ({ queryEmbeds: e.queryEmbeds, prompt: '' })), generation);
        if (batch === 1) captionSequence = outputs[0].sequence;
        const { prefill, decode } = outputs[0].timingsMs;
        const steps = options.newTokens - 1;
        runs.push({
          visionMs,
          prefillMs: prefill,
          decodeMsPerToken: decode / steps,
          tokensPerSecond: (steps * batch) / (decode / 1000),
          firstTokenMs: visionMs + prefill,
          captionMs: visionMs + prefill + decode,
        });
      }
      const pick = (key: keyof Omit<BatchTimings, 'batch'>) => median(runs.map((r) => r[key]));
      batches.push({
        batch,
        visionMs: pick('visionMs'),
        prefillMs: pick('prefillMs'),
        decodeMsPerToken: pick('decodeMsPerToken'),
        tokensPerSecond: pick('tokensPerSecond'),
        firstTokenMs: pick('firstTokenMs'),
        captionMs: pick('captionMs'),
      });
    }
    return {
      provider: engine.provider,
      threads: options.threads ?? 0,
      newTokens: options.newTokens,
      loadMs,
      weightBytes: engine.manifest.weights.tensorBytes,
      decodeStepWeightBytes: await decodeStepWeightBytes(bundleDir, engine.manifest.graphs.decoder.file),
      batches,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      captionSequence,
    };
  } finally {
    await engine.close();
  }
}
