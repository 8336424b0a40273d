/**
 * `npm run bench`: synthesizes random weights of the real-size configs in ../shared/fixtures/configs, converts them,
 * and measures conversion, preprocessing, vision, prefill and decode against the figures Hugging Face transformers
 * reached on this kind of machine (PyTorch 1.13 CPU, float32, 2 threads, depth8 config) and against this machine's
 * measured memory bandwidth, in every weight format (bundle size, peak memory, vision, decode; ratios against the
 * fp32 bundle measured in the same run). Prints a markdown report; results also go to .bench/results.json.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBlip2Config } from '../engine/convert/blip2-config.ts';
import { synthesizeCheckpoint, checkpointTensors } from '../engine/convert/synthesize-checkpoint.ts';
import { measureCopyBandwidth, type BandwidthResult } from './memory-bandwidth.ts';
import { benchPreprocess, buildBenchJpeg, type PreprocessBenchResult } from './preprocess-bench.ts';
import type { InferenceBenchResult } from './model-bench.ts';
import type { ConvertPhaseResult } from './phases.ts';
import { renderReport } from './report.ts';
import { parseWeightFormat } from '../engine/convert/weight-format.ts';
import { formatFileName, type WeightFormat } from '../engine/bundle/weight-formats.ts';
import { formatLabel } from './formats-report.ts';
import { createProgressBar } from '../cli/progress-bar.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const BIN = join(ROOT, 'bin/glance.js');

export interface BenchOptions {
  configs: string[];
  work: string;
  threads?: number;
  /** Where inference runs (default cpu; gpu-check measures on cuda). */
  provider?: 'cpu' | 'cuda';
  /** Weight formats to measure per config (default: FORMATS_BY_CONFIG; fp32 always runs first, as the reference). */
  formats?: (config: string) => WeightFormat[];
  /** Reports checkpoint synthesis progress (parameters written of total). */
  onSynthesizeProgress?: (config: string, done: number, total: number) => void;
  /** Reports conversion progress (bytes of checkpoint tensors done of total); default: the CLI's progress bar. */
  onConvertProgress?: (label: string, done: number, total: number) => void;
}

/** One weight format of one config: conversion, bundle size and the inference measurements. */
export interface FormatBenchResult {
  format: string;
  dtype: WeightFormat['dtype'];
  bundleBytes: number;
  convert: ConvertPhaseResult;
  inference: InferenceBenchResult;
}

export interface ModelBenchResult {
  config: string;
  parameters: number;
  largestTensorBytes: number;
  /** the fp32 bundle's measurements (also formats[0]) */
  convert: ConvertPhaseResult;
  inference: InferenceBenchResult;
  formats: FormatBenchResult[];
}

/**
 * The formats each config is measured in: every format on depth8 (plus int4 with block 128 and with accuracy
 * level 0, the alternatives to the defaults); fp32 and int4 on the full model (its fp32 run
 * needs ~17 GB, so formats run one at a time, each bundle deleted before the next is converted).
 */
export function defaultFormats(config: string): WeightFormat[] {
  if (config === 'blip2-opt-2.7b') return ['fp32', 'int4'].map((dtype) => parseWeightFormat({ dtype }));
  // Flan-T5 must not run in float16, so no fp16 bundle
  if (config === 'blip2-flan-t5-xl') return ['fp32', 'bf16', 'int8', 'int4'].map((dtype) => parseWeightFormat({ dtype }));
  return [
    ...['fp32', 'fp16', 'bf16', 'int8', 'int4'].map((dtype) => parseWeightFormat({ dtype })),
    // the alternatives the int4 defaults (block 32, accuracy level 4) were chosen against
    parseWeightFormat({ dtype: 'int4', blockSize: 128 }),
    parseWeightFormat({ dtype: 'int4', accuracyLevel: 0 }),
  ];
}

export interface BenchResults {
  machine: { cpus: number; memoryBytes: number };
  bandwidth: BandwidthResult;
  preprocess: PreprocessBenchResult;
  models: ModelBenchResult[];
}

/** Runs `glance bench-phase …` in a child process; `progress <done> <total>` lines on its stderr go to `onProgress`. */
function runPhase<T>(phase: string, args: string[], onProgress?: (done: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'bench-phase', phase, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const match = /^progress (\d+) (\d+)$/.exec(line);
        if (match) onProgress?.(Number(match[1]), Number(match[2]));
        else stderr += `${line}\n`;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench phase ${phase} failed (exit ${code}): ${stderr.trim()}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
    });
  });
}

/** The default conversion progress: the CLI's progress bar, stopped when the conversion is done. */
function conversionBar(label: string): { report: (done: number, total: number) => void; stop: () => void } {
  const bar = createProgressBar(label, { divisor: 1e6, label: 'MB' });
  return { report: (done, total) => bar.report(done, total), stop: () => bar.stop() };
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const file of await readdir(dir)) total += (await stat(join(dir, file))).size;
  return total;
}

async function ensureCheckpoint(config: string, dir: string, options: BenchOptions): Promise<void> {
  if (existsSync(join(dir, '.complete'))) return;
  await rm(dir, { recursive: true, force: true });
  const source = join(FIXTURES, 'configs', config);
  const configJson = JSON.parse(await readFile(join(source, 'config.json'), 'utf8'));
  // a tokenizer of the right kind (ids only need to be below the model's vocabulary size)
  const tokenizerFixture = resolveBlip2Config(configJson).family === 'blip2-t5' ? 'tiny-blip2-t5' : 'tiny-blip2-opt';
  await synthesizeCheckpoint({
    config: configJson,
    preprocessor: JSON.parse(await readFile(join(source, 'preprocessor_config.json'), 'utf8')),
    tokenizerDir: join(FIXTURES, tokenizerFixture),
    outDir: dir,
    maxShardBytes: 2e9,
    onProgress: (done, total) => options.onSynthesizeProgress?.(config, done, total),
  });
  await writeFile(join(dir, '.complete'), '');
}

async function benchModel(config: string, options: BenchOptions, imagePath: string): Promise<ModelBenchResult> {
  const configJson = JSON.parse(await readFile(join(FIXTURES, 'configs', config, 'config.json'), 'utf8'));
  const tensors = checkpointTensors(configJson);
  const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const parameters = tensors.reduce((sum, t) => sum + elements(t.shape), 0);
  if (parameters * 4 * 1.3 > totalmem()) throw new Error(`${config} needs about ${((parameters * 4 * 1.3) / 1e9).toFixed(1)} GB to run; this machine has ${(totalmem() / 1e9).toFixed(1)} GB`);
  const checkpointDir = join(options.work, `${config}-checkpoint`);
  await ensureCheckpoint(config, checkpointDir, options);
  const requested = (options.formats ?? defaultFormats)(config);
  const formats = [parseWeightFormat({ dtype: 'fp32' }), ...requested.filter((f) => f.dtype !== 'fp32')];
  const results: FormatBenchResult[] = [];
  for (const format of formats) {
    // one bundle on disk at a time (the full model's fp32 bundle alone is 15 GB)
    const bundleDir = join(options.work, `${config}-bundle${formatFileName('', format, 'x').slice(0, -2)}`);
    await rm(bundleDir, { recursive: true, force: true });
    const label = `converting ${config} → ${formatLabel(format)}`;
    const bar = options.onConvertProgress ? undefined : conversionBar(label);
    const onProgress = bar ? bar.report : (done: number, total: number) => options.onConvertProgress!(label, done, total);
    const args = [checkpointDir, bundleDir, format.dtype, String(format.blockSize ?? ''), String(format.accuracyLevel ?? '')];
    let convert: ConvertPhaseResult;
    try {
      convert = await runPhase<ConvertPhaseResult>('convert', args, onProgress);
    } finally {
      bar?.stop();
    }
    const bundleBytes = await directoryBytes(bundleDir);
    process.stderr.write(`running ${config} ${formatLabel(format)} (free memory ${(freemem() / 1e9).toFixed(1)} GB)…\n`);
    const inference = await runPhase<InferenceBenchResult>('infer', [bundleDir, imagePath, String(options.threads ?? 0), options.provider ?? 'cpu']);
    results.push({ format: formatLabel(format), dtype: format.dtype, bundleBytes, convert, inference });
    await rm(bundleDir, { recursive: true, force: true });
  }
  return { config, parameters, largestTensorBytes: Math.max(...tensors.map((t) => elements(t.shape) * 4)), convert: results[0].convert, inference: results[0].inference, formats: results };
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  await mkdir(options.work, { recursive: true });
  process.stderr.write('measuring memory bandwidth…\n');
  const bandwidth = await measureCopyBandwidth();
  process.stderr.write('preprocessing a 12 MP JPEG…\n');
  const preprocess = await benchPreprocess();
  const imagePath = join(options.work, 'bench-12mp.jpg');
  await writeFile(imagePath, await buildBenchJpeg());
  const models: ModelBenchResult[] = [];
  for (const config of options.configs) models.push(await benchModel(config, options, imagePath));
  const results: BenchResults = { machine: { cpus: (await import('node:os')).availableParallelism(), memoryBytes: totalmem() }, bandwidth, preprocess, models };
  await writeFile(join(options.work, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(renderReport(results));
  return results;
}
