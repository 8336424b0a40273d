/**
 * `glance bench-service`: the service's numbers on random weights of blip2-opt-2.7b-depth8 (the synthesized
 * checkpoint `glance bench` keeps in .bench/, converted once to an int4 bundle — the format for CPU hosts — or with
 * `--dtype fp32` to a float32 one):
 *
 * - follow-up question latency ÷ first-question latency on one image (the follow-up's embeddings come from the cache,
 *   and its language-model image prefix from the prefix cache), for answers of 1, 3 and 10 tokens, with the prefix
 *   cache on and, as the baseline in the same run, off (GLANCE_PREFIX_CACHE_MB=0);
 * - throughput of 8 concurrent caption requests on 8 different images ÷ the same 8 requests one after another
 *   (each phase on a fresh service, so no embedding is cached);
 * - the main thread's event-loop delay p99 while the model runs (perf_hooks.monitorEventLoopDelay over every phase);
 * - the embedding cache and the prefix cache with budgets smaller than the 8 images': bytes held vs the budgets, and RSS.
 *
 * Random weights rarely stop on EOS, so every generation runs a fixed number of tokens (min = max new tokens).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { MANIFEST_FILE, MANIFEST_VERSION } from '../engine/bundle/manifest.ts';
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
/** Answer lengths measured: VQA answers are mostly one to three tokens ("two", "a red car"); 10 is a long one. */
const ANSWER_LENGTHS = [1, 3, QUESTION_TOKENS] as const;
const CAPTION_TOKENS = 20;
const CONCURRENT = 8;
const FOLLOW_UPS = 3;

export interface ServiceBenchOptions {
  work: string;
  threads?: number;
  /** The bundle's weight format: int4 (default, the CPU format) or fp32. */
  dtype?: 'int4' | 'fp32';
  /** Execution provider (default cpu; `npm run gpu-check` runs it on cuda). */
  provider?: 'cpu' | 'cuda';
}

export interface FollowUpMeasure {
  answerTokens: number;
  prefixCache: boolean;
  firstMs: number;
  /** The first question's stages: preprocess + vision, prefill (the image prefix and the prompt), decode. */
  firstStagesMs: { vision: number; prefill: number; decode: number };
  /** Median of FOLLOW_UPS follow-ups. */
  followUpMs: number;
  firstTokenMs: number;
  followUpFirstTokenMs: number;
  /** Median follow-up prefill (the prompt alone with a kept prefix; the queries and the prompt without). */
  followUpPrefillMs: number;
}

export interface ServiceBenchResult {
  dtype: 'int4' | 'fp32';
  provider: 'cpu' | 'cuda';
  followUps: FollowUpMeasure[];
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
  prefixCache: { budgetBytes: number; bytes: number; entries: number; evictions: number; prefixBytes: number };
  rssBytes: number;
}

/** The depth8 bundle of this weight format, converted once from the checkpoint `npm run bench` synthesizes. */
export async function ensureBundle(work: string, dtype: 'int4' | 'fp32'): Promise<string> {
  const checkpointDir = join(work, `${CONFIG}-checkpoint`);
  if (!existsSync(join(checkpointDir, '.complete'))) {
    throw new Error(`${checkpointDir} is missing: run \`npm run bench\` once (it synthesizes the ${CONFIG} checkpoint there)`);
  }
  const bundleDir = join(work, `${CONFIG}-service-bundle-${dtype}`);
  const manifest = join(bundleDir, MANIFEST_FILE);
  // A bundle an earlier glance converted (another bundle version) is converted again.
  if (!existsSync(manifest) || JSON.parse(readFileSync(manifest, 'utf8')).version !== MANIFEST_VERSION) {
    process.stderr.write(`converting ${CONFIG} to ${dtype} (${bundleDir})…\n`);
    rmSync(bundleDir, { recursive: true, force: true });
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

function start(bundleDir: string, options: ServiceBenchOptions, cacheBytes: number, prefixBytes = 1024 * 1024 * 1024): Promise<GlanceService> {
  return GlanceService.start({
    bundleDir,
    modelId: CONFIG,
    provider: options.provider ?? 'cpu',
    threads: options.threads,
    cache: { maxBytes: cacheBytes, ttlMs: 3_600_000, prefixMaxBytes: prefixBytes },
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

  delay.enable();
  const followUps: FollowUpMeasure[] = [];
  let embeddingBytes = 0;
  let prefixBytes = 0;
  for (const prefixCache of [false, true]) {
    process.stderr.write(`first question and follow-ups, prefix cache ${prefixCache ? 'on' : 'off'}…\n`);
    const service = await start(bundleDir, options, 512 * 1024 * 1024, prefixCache ? 1024 * 1024 * 1024 : 0);
    // warm-up on another image: onnxruntime's first runs allocate
    await service.run({ image: warm, question: 'what is this?', generation: answer, userId: 'warm', channelId: 'bench' });
    for (const [i, answerTokens] of ANSWER_LENGTHS.entries()) {
      const generation = { minNewTokens: answerTokens, maxNewTokens: answerTokens };
      const first = await service.run({ image: images[i], question: 'what is in the picture?', generation, userId: 'a', channelId: 'bench' });
      if (first.cacheHit) throw new Error('the first question unexpectedly hit the cache');
      const later: ServiceResult[] = [];
      for (let k = 0; k < FOLLOW_UPS; k++) {
        later.push(await service.run({ image: images[i], question: `and what colour is thing ${k}?`, generation, userId: 'a', channelId: 'bench' }));
      }
      if (!later.every((r) => r.cacheHit)) throw new Error('a follow-up missed the cache');
      if (later.some((r) => r.prefixCacheHit !== prefixCache)) throw new Error(`a follow-up ${prefixCache ? 'missed' : 'used'} the prefix cache`);
      followUps.push({
        answerTokens,
        prefixCache,
        firstMs: first.timingsMs.total,
        firstStagesMs: { vision: first.timingsMs.preprocess + first.timingsMs.vision, prefill: first.timingsMs.prefill, decode: first.timingsMs.decode },
        followUpMs: median(later.map((r) => r.timingsMs.total)),
        firstTokenMs: first.timingsMs.total - first.timingsMs.decode,
        followUpFirstTokenMs: median(later.map((r) => r.timingsMs.total - r.timingsMs.decode)),
        followUpPrefillMs: median(later.map((r) => r.timingsMs.prefill)),
      });
    }
    const health = service.health();
    embeddingBytes = health.cache.bytes / health.cache.entries;
    if (prefixCache && health.prefixCache) prefixBytes = health.prefixCache.bytes / health.prefixCache.entries;
    await service.close();
  }
  const main = followUps.find((f) => f.prefixCache && f.answerTokens === QUESTION_TOKENS)!;

  process.stderr.write(`${CONCURRENT} captions one after another…\n`);
  let service = await start(bundleDir, options, 512 * 1024 * 1024);
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
  const prefixBudgetBytes = Math.floor(prefixBytes * 2.5); // and 2 of their prefixes
  service = await start(bundleDir, options, budgetBytes, prefixBudgetBytes);
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
    provider: options.provider ?? 'cpu',
    followUps,
    machine: { cpus: availableParallelism(), memoryBytes: totalmem(), threads: options.threads ?? 'default', loadAverageStart, loadAverageEnd: loadavg()[0] },
    sequentialVisionMs: median(sequential.map((r) => r.timingsMs.preprocess + r.timingsMs.vision)),
    sequentialGenerationMs: median(sequential.map((r) => r.timingsMs.prefill + r.timingsMs.decode)),
    firstQuestionMs: main.firstMs,
    followUpMs: main.followUpMs,
    firstQuestionFirstTokenMs: main.firstTokenMs,
    followUpFirstTokenMs: main.followUpFirstTokenMs,
    sequentialMs,
    concurrentMs,
    concurrentBatchSizes: [...new Set(concurrent.map((r) => r.batchSize))],
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    eventLoopDelayMaxMs: delay.max / 1e6,
    cache: { budgetBytes, bytes: health.cache.bytes, entries: health.cache.entries, evictions: health.cache.evictions, embeddingBytes },
    prefixCache: {
      budgetBytes: prefixBudgetBytes,
      bytes: health.prefixCache?.bytes ?? 0,
      entries: health.prefixCache?.entries ?? 0,
      evictions: health.prefixCache?.evictions ?? 0,
      prefixBytes,
    },
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
    `### Service on ${CONFIG} (${r.dtype}, random weights, ${r.provider === 'cuda' ? 'CUDA' : 'CPU'} execution provider; ${r.machine.cpus} CPUs, ${(r.machine.memoryBytes / 1e9).toFixed(0)} GB, onnxruntime threads ${r.machine.threads})`,
    '',
    `Load average (1 min) at the start ${r.machine.loadAverageStart.toFixed(1)}, at the end ${r.machine.loadAverageEnd.toFixed(1)}.`,
    '',
    '| measure | value | target | met |',
    '| --- | --- | --- | --- |',
    `| first question (vision + ${QUESTION_TOKENS} tokens) | ${ms(r.firstQuestionMs)} | | |`,
    `| follow-up question (cached embeddings and prefix + ${QUESTION_TOKENS} tokens), median of ${FOLLOW_UPS} | ${ms(r.followUpMs)} | | |`,
    `| follow-up ÷ first, ${QUESTION_TOKENS}-token answers | ${followRatio.toFixed(2)} | ≤ 0.33 | ${followRatio <= 1 / 3 ? 'yes' : 'no'} |`,
    `| time to the first answer token: first / follow-up (median) | ${ms(r.firstQuestionFirstTokenMs)} / ${ms(r.followUpFirstTokenMs)} = ${(r.followUpFirstTokenMs / r.firstQuestionFirstTokenMs).toFixed(2)} | | |`,
    `| ${CONCURRENT} captions (${CAPTION_TOKENS} tokens, different images) one after another | ${s(r.sequentialMs)} | | |`,
    `| one sequential caption: preprocess + vision / prefill + decode (medians) | ${ms(r.sequentialVisionMs)} / ${ms(r.sequentialGenerationMs)} | | |`,
    `| the same ${CONCURRENT} at once (generation batch sizes ${r.concurrentBatchSizes.join(', ')}) | ${s(r.concurrentMs)} | | |`,
    `| throughput concurrent ÷ sequential | ${throughput.toFixed(2)}× | ≥ 3× | ${throughput >= 3 ? 'yes' : 'no'} |`,
    `| event-loop delay p99 (max) while the model runs | ${r.eventLoopDelayP99Ms.toFixed(1)} ms (${r.eventLoopDelayMaxMs.toFixed(1)} ms) | < 50 ms | ${r.eventLoopDelayP99Ms < 50 ? 'yes' : 'no'} |`,
    `| embedding cache held / budget after ${CONCURRENT + 1} images (${mb(r.cache.embeddingBytes)} each) | ${mb(r.cache.bytes)} / ${mb(r.cache.budgetBytes)}, ${r.cache.entries} entries, ${r.cache.evictions} evictions | ≤ budget | ${r.cache.bytes <= r.cache.budgetBytes ? 'yes' : 'no'} |`,
    `| prefix cache held / budget after ${CONCURRENT + 1} images (${mb(r.prefixCache.prefixBytes)} each) | ${mb(r.prefixCache.bytes)} / ${mb(r.prefixCache.budgetBytes)}, ${r.prefixCache.entries} entries, ${r.prefixCache.evictions} evictions | ≤ budget | ${r.prefixCache.bytes <= r.prefixCache.budgetBytes ? 'yes' : 'no'} |`,
    `| process RSS at the end | ${mb(r.rssBytes)} | | |`,
    '',
    `Follow-up ÷ first question by answer length, with the prefix cache and without it (GLANCE_PREFIX_CACHE_MB=0, the baseline), each on a fresh service; follow-ups are medians of ${FOLLOW_UPS}:`,
    '',
    '| answer tokens | prefix cache | first question (vision / prefill / decode) | follow-up (its prefill) | follow-up ÷ first | to the first token: follow-up ÷ first |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.followUps.map(
      (f) =>
        `| ${f.answerTokens} | ${f.prefixCache ? 'on' : 'off'} | ${ms(f.firstMs)} (${ms(f.firstStagesMs.vision)} / ${ms(f.firstStagesMs.prefill)} / ${ms(f.firstStagesMs.decode)}) | ${ms(f.followUpMs)} (${ms(f.followUpPrefillMs)}) | ${(f.followUpMs / f.firstMs).toFixed(2)} | ${(f.followUpFirstTokenMs / f.firstTokenMs).toFixed(2)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
