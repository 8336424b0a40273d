/**
 * `npm run bench`: synthesizes random weights of the real-size configs in ../shared/fixtures/configs, converts them,
 * and measures conversion, preprocessing, vision, prefill and decode against the figures Hugging Face transformers
 * reached on this kind of machine (PyTorch 1.13 CPU, float32, 2 threads, depth8 config) and against this machine's
 * measured memory bandwidth. Prints a markdown report; results also go to .bench/results.json.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesizeCheckpoint, checkpointTensors } from '../engine/convert/synthesize-checkpoint.ts';
import { measureCopyBandwidth, type BandwidthResult } from './memory-bandwidth.ts';
import { benchPreprocess, buildBenchJpeg, type PreprocessBenchResult } from './preprocess-bench.ts';
import type { InferenceBenchResult } from './model-bench.ts';
import type { ConvertPhaseResult } from './phases.ts';
import { renderReport } from './report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const BIN = join(ROOT, 'bin/glance.js');

export interface BenchOptions {
  configs: string[];
  work: string;
  threads?: number;
  /** Reports checkpoint synthesis progress (parameters written of total). */
  onSynthesizeProgress?: (config: string, done: number, total: number) => void;
}

export interface ModelBenchResult {
  config: string;
  parameters: number;
  largestTensorBytes: number;
  convert: ConvertPhaseResult;
  inference: InferenceBenchResult;
}

export interface BenchResults {
  machine: { cpus: number; memoryBytes: number };
  bandwidth: BandwidthResult;
  preprocess: PreprocessBenchResult;
  models: ModelBenchResult[];
}

function runPhase<T>(phase: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, 'bench-phase', phase, ...args], { maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`bench phase ${phase} failed: ${stderr || error.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
    });
  });
}

async function ensureCheckpoint(config: string, dir: string, options: BenchOptions): Promise<void> {
  if (existsSync(join(dir, '.complete'))) return;
  await rm(dir, { recursive: true, force: true });
  const source = join(FIXTURES, 'configs', config);
  await synthesizeCheckpoint({
    config: JSON.parse(await readFile(join(source, 'config.json'), 'utf8')),
    preprocessor: JSON.parse(await readFile(join(source, 'preprocessor_config.json'), 'utf8')),
    tokenizerDir: join(FIXTURES, 'tiny-blip2-opt'),
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
  const bundleDir = join(options.work, `${config}-bundle`);
  await ensureCheckpoint(config, checkpointDir, options);
  await rm(bundleDir, { recursive: true, force: true });
  process.stderr.write(`converting ${config}…\n`);
  const convert = await runPhase<ConvertPhaseResult>('convert', [checkpointDir, bundleDir]);
  process.stderr.write(`running ${config} (free memory ${(freemem() / 1e9).toFixed(1)} GB)…\n`);
  const inference = await runPhase<InferenceBenchResult>('infer', [bundleDir, imagePath, String(options.threads ?? 0)]);
  return { config, parameters, largestTensorBytes: Math.max(...tensors.map((t) => elements(t.shape) * 4)), convert, inference };
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
