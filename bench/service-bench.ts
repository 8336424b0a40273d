/**
 * `glance bench-service`: the service's numbers on random weights of blip2-opt-2.7b-depth8 (the synthesized
 * checkpoint `glance bench` keeps in .bench/, converted once to an int4 bundle — the format for CPU hosts — or with
 * `--dtype fp32` to a float32 one):
 *
 * - follow-up question latency ÷ first-question latency on one image (the follow-up's embeddings come from the cache);
 * - throughput of 8 concurrent caption requests on 8 different images ÷ the same 8 requests one after another
 *   (each phase on a fresh service, so no embedding is cached);
 * - the main thread's event-loop delay p99 while the model runs (perf_hooks.monitorEventLoopDelay over every phase);
 * - the embedding cache with a budget smaller than the 8 images' embeddings: bytes held vs the budget, and RSS.
 *
 * Random weights rarely stop on EOS, so every generation runs a fixed number of tokens (min = max new tokens).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { convertCheckpoint } from '../engine/convert/convert-checkpoint.ts';
import { GlanceService, type ServiceResult } from '../src/service/glance-service.ts';
import { median } from './statistics.ts';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const CONFIG = 'blip2-opt-2.7b-depth8';
const QUESTION_TOKENS = 10;
const CAPTION_TOKENS = 20;
const CONCURRENT = 8;
const FOLLOW_UPS = 3;

export interface ServiceBenchOptions {
  work: string;
  threads?: number;
  /** The bundle's weight format: int4 (default, the CPU format) or fp32. */
  dtype?: 'int4' | 'fp32';
}

export interface ServiceBenchResult {
  dtype: 'int4' | 'fp32';
  machine: { cpus: number; memoryBytes: number; threads: number | 'default'; loadAverageStart: number; loadAverageEnd: number };
  /** Medians over the sequential captions: one image's preprocess + vision, and the 20-token generation. */
  sequentialVisionMs: number;
  sequentialGenerationMs: number;
  firstQuestionMs: number;
  followUpMs: number;
  /** Time to the first answer token (everything but the decode steps): first question, and median follow-up. */
  firstQuestionFirstTokenMs: number;
  followUpFirstTokenMs: number;
  sequentialMs: number;
  concurrentMs: number;
  concurrentBatchSizes: number[];
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  cache: { budgetBytes: number; bytes: number; entries: number; evictions: number; embeddingBytes: number };
  rssBytes: number;
}

async function ensureBundle(work: string, dtype: 'int4' | 'fp32'): Promise<string> {
  const checkpointDir = join(work, `${CONFIG}-checkpoint`);
  if (!existsSync(join(checkpointDir, '.complete'))) {
    throw new Error(`${checkpointDir} is missing: run \`npm run bench\` once (it synthesizes the ${CONFIG} checkpoint there)`);
  }
  const bundleDir = join(work, `${CONFIG}-service-bundle-${dtype}`);
  if (!existsSync(join(bundleDir, 'manifest.json'))) {
    process.stderr.write(`converting ${CONFIG} to ${dtype} (${bundleDir})…\n`);
    await convertCheckpoint({ checkpointDir, outDir: bundleDir, dtype });
  }
  return bundleDir;
}

/** Nine different photos (eight measured, one for warm-ups): the fixture images, and mirrored copies to make up the number. */
async function benchImages(): Promise<{ measured: Uint8Array[]; warm: Uint8Array }> {
  const dir = join(FIXTURES, 'images');
  const files = (await readdir(dir)).filter((f) => /\.(png|jpe?g)$/.test(f)).sort();
  const images: Uint8Array[] = await Promise.all(files.map((f) => readFile(join(dir, f))));
  for (let i = 0; images.length < CONCURRENT + 1; i++) images.push(await sharp(images[i]).flop().png().toBuffer());
  return { measured: images.slice(0, CONCURRENT), warm: images[CONCURRENT] };
}

function start(bundleDir: string, threads: number | undefined, cacheBytes: number): Promise<GlanceService> {
  return GlanceService.start({
    bundleDir,
    modelId: CONFIG,
    threads,
    cache: { maxBytes: cacheBytes, ttlMs: 3_600_000 },
    queue: { maxQueued: 64, maxBatch: CONCURRENT, perUserPerMinute: 1000, deadlineMs: 600_000 },
  });
}

export async function runServiceBench(options: ServiceBenchOptions): Promise<ServiceBenchResult> {
  const dtype = options.dtype ?? 'int4';
  if (dtype !== 'int4' && dtype !== 'fp32') throw new Error(`--dtype must be int4 or fp32 (got ${String(dtype)})`);
  const bundleDir = await ensureBundle(options.work, dtype);
  const { measured: images, warm } = await benchImages();
  const caption = { minNewTokens: CAPTION_TOKENS, maxNewTokens: CAPTION_TOKENS };
  const answer = { minNewTokens: QUESTION_TOKENS, maxNewTokens: QUESTION_TOKENS };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const loadAverageStart = loadavg()[0];

  process.stderr.write('first question and follow-ups…\n');
  let service = await start(bundleDir, options.threads, 512 * 1024 * 1024);
  delay.enable();
  // warm-up on another image: onnxruntime's first runs allocate
  await service.run({ image: warm, question: 'what is this?', generation: answer, userId: 'warm', channelId: 'bench' });
  const first = await service.run({ image: images[0], question: 'what is in the picture?', generation: answer, userId: 'a', channelId: 'bench' });
  if (first.cacheHit) throw new Error('the first question unexpectedly hit the cache');
  const followUps: ServiceResult[] = [];
  for (let i = 0; i < FOLLOW_UPS; i++) {
    followUps.push(await service.run({ image: images[0], question: `and what colour is thing ${i}?`, generation: answer, userId: 'a', channelId: 'bench' }));
  }
  if (!followUps.every((r) => r.cacheHit)) throw new Error('a follow-up missed the cache');
  const held = service.health().cache;
  const embeddingBytes = held.bytes / held.entries;
  await service.close();

  process.stderr.write(`${CONCURRENT} captions one after another…\n`);
  service = await start(bundleDir, options.threads, 512 * 1024 * 1024);
  await service.run({ image: warm, generation: { maxNewTokens: 2 }, userId: 'warm', channelId: 'bench' });
  let t0 = performance.now();
  const sequential: ServiceResult[] = [];
  for (let i = 0; i < CONCURRENT; i++) {
    sequential.push(await service.run({ image: images[i], generation: caption, userId: `s${i}`, channelId: `c${i}` }));
  }
  const sequentialMs = performance.now() - t0;
  await service.close();

  process.stderr.write(`${CONCURRENT} captions at once…\n`);
  const budgetBytes = Math.floor(embeddingBytes * 3.5); // room for 3 of the 9 images' embeddings
  service = await start(bundleDir, options.threads, budgetBytes);
  await service.run({ image: warm, generation: { maxNewTokens: 2 }, userId: 'warm', channelId: 'bench' });
  t0 = performance.now();
  const concurrent = await Promise.all(
    images.map((image, i) => service.run({ image, generation: caption, userId: `p${i}`, channelId: `c${i}` })),
  );
  const concurrentMs = performance.now() - t0;
  delay.disable();
  const health = service.health();
  const rssBytes = process.memoryUsage().rss;
  await service.close();

  return {
    dtype,
    machine: { cpus: availableParallelism(), memoryBytes: totalmem(), threads: options.threads ?? 'default', loadAverageStart, loadAverageEnd: loadavg()[0] },
    sequentialVisionMs: median(sequential.map((r) => r.timingsMs.preprocess + r.timingsMs.vision)),
    sequentialGenerationMs: median(sequential.map((r) => r.timingsMs.prefill + r.timingsMs.decode)),
    firstQuestionMs: first.timingsMs.total,
    followUpMs: median(followUps.map((r) => r.timingsMs.total)),
    firstQuestionFirstTokenMs: first.timingsMs.total - first.timingsMs.decode,
    followUpFirstTokenMs: median(followUps.map((r) => r.timingsMs.total - r.timingsMs.decode)),
    sequentialMs,
    concurrentMs,
    concurrentBatchSizes: [...new Set(concurrent.map((r) => r.batchSize))],
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: delay.max / 1e6,
    cache: { budgetBytes, bytes: health.cache.bytes, entries: health.cache.entries, evictions: health.cache.evictions, embeddingBytes },
    rssBytes,
  };
}

export function renderServiceReport(r: ServiceBenchResult): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
  const mb = (v: number) => `${(v / 1e6).toFixed(2)} MB`;
  const followRatio = r.followUpMs / r.firstQuestionMs;
  const throughput = r.sequentialMs / r.concurrentMs;
  const lines = [
    `### Service on ${CONFIG} (${r.dtype}, random weights; ${r.machine.cpus} CPUs, ${(r.machine.memoryBytes / 1e9).toFixed(0)} GB, onnxruntime threads ${r.machine.threads})`,
    '',
    `Load average (1 min) at the start ${r.machine.loadAverageStart.toFixed(1)}, at the end ${r.machine.loadAverageEnd.toFixed(1)}.`,
    '',
    '| measure | value | target | met |',
    '| --- | --- | --- | --- |',
    `| first question (vision + ${QUESTION_TOKENS} tokens) | ${ms(r.firstQuestionMs)} | | |`,
    `| follow-up question (cached embeddings + ${QUESTION_TOKENS} tokens), median of ${FOLLOW_UPS} | ${ms(r.followUpMs)} | | |`,
    `| follow-up ÷ first | ${followRatio.toFixed(2)} | ≤ 0.33 | ${followRatio <= 1 / 3 ? 'yes' : 'no'} |`,
    `| time to the first answer token: first / follow-up (median) | ${ms(r.firstQuestionFirstTokenMs)} / ${ms(r.followUpFirstTokenMs)} = ${(r.followUpFirstTokenMs / r.firstQuestionFirstTokenMs).toFixed(2)} | (not the target's measure; shown for reading it) | |`,
    `| ${CONCURRENT} captions (${CAPTION_TOKENS} tokens, different images) one after another | ${s(r.sequentialMs)} | | |`,
    `| one sequential caption: preprocess + vision / prefill + decode (medians) | ${ms(r.sequentialVisionMs)} / ${ms(r.sequentialGenerationMs)} | | |`,
    `| the same ${CONCURRENT} at once (generation batch sizes ${r.concurrentBatchSizes.join(', ')}) | ${s(r.concurrentMs)} | | |`,
    `| throughput concurrent ÷ sequential | ${throughput.toFixed(2)}× | ≥ 3× | ${throughput >= 3 ? 'yes' : 'no'} |`,
    `| event-loop delay p99 (max) while the model runs | ${r.eventLoopDelayP99Ms.toFixed(1)} ms (${r.eventLoopDelayMaxMs.toFixed(1)} ms) | < 50 ms | ${r.eventLoopDelayP99Ms < 50 ? 'yes' : 'no'} |`,
    `| embedding cache held / budget after ${CONCURRENT + 1} images (${mb(r.cache.embeddingBytes)} each) | ${mb(r.cache.bytes)} / ${mb(r.cache.budgetBytes)}, ${r.cache.entries} entries, ${r.cache.evictions} evictions | ≤ budget | ${r.cache.bytes <= r.cache.budgetBytes ? 'yes' : 'no'} |`,
    `| process RSS at the end | ${mb(r.rssBytes)} | | |`,
    '',
  ];
  return lines.join('\n');
}
