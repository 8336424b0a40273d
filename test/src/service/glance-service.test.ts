/**
 * GlanceService on the real engine (tiny OPT bundle, one thread): golden captions and answers, the embedding cache
 * (hits skip the vision encoder; concurrent requests for one image share one encoding), dynamic batching (concurrent
 * requests run in fewer engine calls, each row equal to transformers' single-run golden), admission (BUSY,
 * RATE_LIMITED), deadline, cancellation, a worker crash and restart, engine errors passed through, graceful close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { createServiceMetrics, type ServiceMetrics } from '../../../src/metrics/service-metrics.ts';
import { GlanceService, type ServiceRequest } from '../../../src/service/glance-service.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { convertTinyOpt, type TinyBundle } from '../../helpers/tiny-bundle.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const golden = (image: string, run: string): { text_stripped: string; sequence: number[] } => goldens.images[image].generate[run].outputs[0];
const image = (name: string): Uint8Array => readFileSync(join(IMAGES, name));
const TWENTY = { maxNewTokens: 20 };

let bundle: TinyBundle;
let service: GlanceService;
let metrics: ServiceMetrics;
let user = 0;
/** A request from a fresh user (the per-user limits are tested on their own). */
const request = (fields: Partial<ServiceRequest> & { image: Uint8Array }): ServiceRequest => ({ userId: `u${++user}`, channelId: 'c1', generation: TWENTY, ...fields });

/** How many observations glance_stage_seconds holds per stage, as /metrics shows them. */
async function stageCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of (await metrics.render()).split('\n')) {
    const match = /^glance_stage_seconds_count\{stage="(\w+)"\} (\d+)/.exec(line);
    if (match) counts[match[1]] = Number(match[2]);
  }
  return counts;
}

beforeAll(async () => {
  bundle = await convertTinyOpt();
  metrics = createServiceMetrics({ processMetrics: false });
  service = await GlanceService.start({
    bundleDir: bundle.dir,
    modelId: 'tiny-blip2-opt',
    provider: 'cpu',
    threads: 1,
    cache: { maxBytes: 64 * 1024 * 1024, ttlMs: 60_000 },
    queue: { maxQueued: 4, maxBatch: 8, perUserPerMinute: 3, deadlineMs: 60_000 },
    metrics,
  });
});

afterAll(async () => {
  await service?.close({ graceMs: 0 });
  bundle?.cleanup();
});

describe('GlanceService', () => {
  it('captions an image with the golden text and streams it token by token', async () => {
    const streamed: string[] = [];
    const result = await service.run(request({ image: image('astronaut.png'), onToken: (text) => streamed.push(text) }));
    expect(result.text).toBe(golden('astronaut.png', 'caption_greedy').text_stripped);
    expect(result.sequence).toEqual(golden('astronaut.png', 'caption_greedy').sequence);
    expect(result.cacheHit).toBe(false);
    expect(result.prefixCacheHit).toBe(false);
    expect(streamed.at(-1)?.trim()).toBe(result.text);
    expect(result.timingsMs.total).toBeGreaterThanOrEqual(result.timingsMs.decode);
  });

  it('answers a follow-up about the same image from the cache, without running the vision encoder again', async () => {
    const before = service.engineCalls();
    const lm = goldens.model.language_model;
    const prefixBytes = (positions: number) => 2 * lm.layers * positions * lm.hidden * 4;
    // The caption kept the image queries' prefix (a caption's prompt is BOS alone, which its prefill must run).
    expect(service.health().prefixCache).toMatchObject({ entries: 1, bytes: prefixBytes(goldens.model.num_query_tokens) });
    const stagesBefore = await stageCounts();
    const result = await service.run(request({ image: image('astronaut.png'), question: 'what is in the picture?' }));
    expect(result.text).toBe(golden('astronaut.png', 'vqa_what_greedy').text_stripped);
    // Stages the hit did not run are not observed (as 0 s, they would fill the vision histogram's lowest bucket).
    const stagesAfter = await stageCounts();
    expect(stagesAfter.vision - stagesBefore.vision).toBe(0);
    expect(stagesAfter.preprocess - stagesBefore.preprocess).toBe(0);
    expect(stagesAfter.prefill - stagesBefore.prefill).toBe(1);
    expect(stagesAfter.total - stagesBefore.total).toBe(1);
    expect(result.cacheHit).toBe(true);
    // The language model's cache of the image queries was kept too: only the question was prefilled.
    expect(result.prefixCacheHit).toBe(true);
    expect(result.timingsMs.vision).toBe(0);
    expect(service.engineCalls().visionImages).toBe(before.visionImages);
    // The question replaced it with one that also covers BOS `Question` `:`, which every later question starts with.
    expect(service.health().prefixCache).toMatchObject({ entries: 1, hits: 1, bytes: prefixBytes(goldens.model.num_query_tokens + 3) });
    const next = await service.run(request({ image: image('astronaut.png'), question: 'what color is the sky?' }));
    expect(next.text).toBe(golden('astronaut.png', 'vqa_color_greedy').text_stripped);
    expect(next.prefixCacheHit).toBe(true);
    const raw = await service.run(request({ image: image('astronaut.png'), question: 'Question: what color is the sky? Answer:', rawPrompt: true }));
    expect(raw.text).toBe(golden('astronaut.png', 'vqa_color_greedy').text_stripped);
    expect(service.health().prefixCache).toMatchObject({ entries: 1, hits: 3, bytes: prefixBytes(goldens.model.num_query_tokens + 3) });
  });

  it('batches concurrent requests (one vision call, one generation call), each equal to its single-run golden', async () => {
    const before = service.engineCalls();
    const cases = [
      ['chelsea.png', undefined, 'caption_greedy'],
      ['coffee.png', 'what is in the picture?', 'vqa_what_greedy'],
      ['rocket.jpg', 'what color is the sky?', 'vqa_color_greedy'],
      ['camera.png', undefined, 'caption_greedy'],
    ] as const;
    const results = await Promise.all(cases.map(([name, question], i) => service.run(request({ image: image(name), question, channelId: `c${i}` }))));
    results.forEach((result, i) => {
      const [name, , run] = cases[i];
      expect(result.text).toBe(golden(name, run).text_stripped);
      expect(result.sequence).toEqual(golden(name, run).sequence);
      expect(result.batchSize).toBe(4);
    });
    const after = service.engineCalls();
    expect(after.visionBatches - before.visionBatches).toBe(1);
    expect(after.visionImages - before.visionImages).toBe(4);
    expect(after.generationBatches - before.generationBatches).toBe(1);
  });

  it('shares one vision computation among concurrent requests for the same new image', async () => {
    const before = service.engineCalls();
    const missesBefore = service.health().cache.misses;
    const bytes = image('chelsea_rgba.png');
    const results = await Promise.all([0, 1, 2].map(() => service.run(request({ image: bytes }))));
    expect(results.map((r) => r.text)).toEqual([0, 1, 2].map(() => golden('chelsea_rgba.png', 'caption_greedy').text_stripped));
    expect(results.filter((r) => !r.cacheHit)).toHaveLength(1);
    expect(new Set(results.map((r) => r.imageHash)).size).toBe(1);
    expect(service.engineCalls().visionImages - before.visionImages).toBe(1);
    expect(service.health().cache.misses - missesBefore).toBe(1);
  });

  it('refuses requests beyond the queue bound with BUSY', async () => {
    const bytes = image('astronaut.png');
    const runs = [0, 1, 2, 3, 4].map(() => service.run(request({ image: bytes, generation: { maxNewTokens: 2 } })));
    const settled = await Promise.allSettled(runs);
    expect(settled.slice(0, 4).every((s) => s.status === 'fulfilled')).toBe(true);
    expect(settled[4]).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.Busy } });
  });

  it('allows one request at a time per user and perUserPerMinute per minute (RATE_LIMITED)', async () => {
    const bytes = image('astronaut.png');
    const one = { userId: 'rita', channelId: 'c1', image: bytes, generation: { maxNewTokens: 1 } };
    const first = service.run(one);
    await expect(service.run(one)).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    await first;
    await service.run(one);
    await service.run(one);
    await expect(service.run(one)).rejects.toMatchObject({ code: ErrorCode.RateLimited, details: { reason: 'per-minute' } });
  });

  it('fails a request past its deadline with DEADLINE_EXCEEDED and keeps serving', async () => {
    const bytes = image('astronaut.png');
    const long = { maxNewTokens: 2000, minNewTokens: 2000 };
    await expect(service.run(request({ image: bytes, generation: long, timeoutMs: 100 }))).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded });
    const after = await service.run(request({ image: bytes }));
    expect(after.text).toBe(golden('astronaut.png', 'caption_greedy').text_stripped);
  });

  it('cancels a running request when its AbortSignal fires (ABORTED)', async () => {
    const controller = new AbortController();
    let tokens = 0;
    const run = service.run(request({
      image: image('astronaut.png'),
      generation: { maxNewTokens: 2000, minNewTokens: 2000 },
      signal: controller.signal,
      onToken: () => {
        if (++tokens === 3) controller.abort();
      },
    }));
    await expect(run).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(tokens).toBeLessThan(2000);
    // the cancelled generation stopped: the next request runs and is correct
    expect((await service.run(request({ image: image('astronaut.png') }))).text).toBe(golden('astronaut.png', 'caption_greedy').text_stripped);
    await expect(service.run(request({ image: image('astronaut.png'), signal: AbortSignal.abort() }))).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });

  it('passes engine errors through and caches nothing for a bad image', async () => {
    const entries = service.health().cache.entries;
    await expect(service.run(request({ image: new TextEncoder().encode('not an image') }))).rejects.toMatchObject({ code: expect.stringMatching(/^IMAGE_/) });
    expect(service.health().cache.entries).toBe(entries);
    await expect(service.run(request({ image: image('astronaut.png'), generation: { numBeams: 2, doSample: true } }))).rejects.toMatchObject({
      code: expect.stringMatching(/^GENERATION_/),
    });
  });

  it('fails the request in flight with ENGINE_CRASHED when the worker dies, restarts it, and serves the next one', async () => {
    let crashed = false;
    const run = service.run(request({
      image: image('astronaut.png'),
      generation: { maxNewTokens: 2000, minNewTokens: 2000 },
      onToken: () => {
        if (crashed) return;
        crashed = true;
        void service.crashEngineForTest();
      },
    }));
    await expect(run).rejects.toMatchObject({ code: ErrorCode.EngineCrashed });
    const after = await service.run(request({ image: image('astronaut.png') }));
    expect(after.text).toBe(golden('astronaut.png', 'caption_greedy').text_stripped);
    expect(service.health()).toMatchObject({ ok: true, workerRestarts: 1 });
    expect(await metrics.render()).toMatch(/glance_worker_restarts_total 1/);
  });

  it('exposes stage timings, batch sizes and queue depth as metrics', async () => {
    const text = await metrics.render();
    expect(text).toMatch(/glance_stage_seconds_count\{stage="decode"\} [1-9]/);
    expect(text).toMatch(/glance_batch_size_bucket\{le="4"\} [1-9]/);
    expect(text).toMatch(/glance_queue_depth 0/);
  });

  it('closes gracefully: the request in flight finishes, new ones are refused', async () => {
    const inFlight = service.run(request({ image: image('rocket.jpg') }));
    await new Promise((resolve) => setImmediate(resolve));
    const closing = service.close({ graceMs: 30_000 });
    await expect(service.run(request({ image: image('rocket.jpg') }))).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect((await inFlight).text).toBe(golden('rocket.jpg', 'caption_greedy').text_stripped);
    await closing;
    expect(service.health().ok).toBe(false);
  });

  it('cancels what is still running when the close grace ends (ABORTED)', async () => {
    const second = await GlanceService.start({
      bundleDir: bundle.dir,
      modelId: 'tiny-blip2-opt',
      threads: 1,
      cache: { maxBytes: 1024 * 1024, ttlMs: 60_000 },
      queue: { maxQueued: 4, maxBatch: 4, perUserPerMinute: 10, deadlineMs: 60_000 },
    });
    let started!: () => void;
    const firstToken = new Promise<void>((resolve) => (started = resolve));
    const long = second.run(request({ image: image('astronaut.png'), generation: { maxNewTokens: 2000, minNewTokens: 2000 }, onToken: () => started() }));
    await Promise.race([firstToken, long.catch(() => undefined)]);
    await second.close({ graceMs: 10 });
    await expect(long).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });
});
