import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { EmbeddingCache } from '../../../src/cache/embedding-cache.ts';
import { createServiceMetrics } from '../../../src/metrics/service-metrics.ts';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';

const image = (seed: number): Uint8Array => Uint8Array.from({ length: 64 }, (_, i) => (i * 31 + seed) & 0xff);
const embeds = (floats: number, fill = 1): Float32Array => new Float32Array(floats).fill(fill);

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function newCache(overrides: Partial<ConstructorParameters<typeof EmbeddingCache>[0]> = {}): EmbeddingCache {
  return new EmbeddingCache({ maxBytes: 1024, ttlMs: 0, modelId: 'model-a', preprocessVersion: 'pp1', ...overrides });
}

describe('EmbeddingCache', () => {
  it('hashes image bytes with sha256 hex', () => {
    const bytes = image(1);
    expect(EmbeddingCache.hashImage(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('computes once, then serves the stored embeddings as a hit', async () => {
    const cache = newCache();
    let computes = 0;
    const compute = async () => {
      computes += 1;
      return embeds(8, 0.5);
    };
    const first = await cache.getOrCompute(image(1), compute);
    const second = await cache.getOrCompute(image(1), compute);
    expect(first.hit).toBe(false);
    expect(second.hit).toBe(true);
    expect(second.queryEmbeds).toBe(first.queryEmbeds);
    expect(second.imageHash).toBe(EmbeddingCache.hashImage(image(1)));
    expect(computes).toBe(1);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, evictions: 0, bytes: 32, entries: 1 });
  });

  it('keys on model id and preprocessing version as well as the bytes', async () => {
    const bytes = image(2);
    const shared = new Map<string, Float32Array>();
    // Two caches cannot share entries; one cache with a different model must not reuse the other's key.
    const a = newCache({ modelId: 'model-a' });
    const b = newCache({ modelId: 'model-b' });
    const c = newCache({ preprocessVersion: 'pp2' });
    for (const cache of [a, b, c]) {
      const result = await cache.getOrCompute(bytes, async () => embeds(4));
      expect(result.hit).toBe(false);
      shared.set(result.imageHash, result.queryEmbeds);
    }
    expect(shared.size).toBe(1); // same content hash, different cache keys
    expect((await a.getOrCompute(image(3), async () => embeds(4))).hit).toBe(false);
  });

  it('shares one in-flight computation between concurrent callers of the same image', async () => {
    const cache = newCache();
    const pending = deferred<Float32Array>();
    let computes = 0;
    const compute = () => {
      computes += 1;
      return pending.promise;
    };
    const callers = [cache.getOrCompute(image(4), compute), cache.getOrCompute(image(4), compute), cache.getOrCompute(image(4), compute)];
    await Promise.resolve();
    pending.resolve(embeds(4, 2));
    const results = await Promise.all(callers);
    expect(computes).toBe(1);
    expect(results.map((r) => [r.hit, r.shared])).toEqual([
      [false, false],
      [true, true],
      [true, true],
    ]);
    expect(results[1].queryEmbeds).toBe(results[0].queryEmbeds);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, entries: 1 });
  });

  it('does not cache a failed computation; every waiter gets the error and the next call computes again', async () => {
    const cache = newCache();
    const pending = deferred<Float32Array>();
    const failure = new GlanceError(ErrorCode.ImageCorrupt, 'not an image');
    let computes = 0;
    const failing = () => {
      computes += 1;
      return pending.promise;
    };
    const callers = [cache.getOrCompute(image(5), failing), cache.getOrCompute(image(5), failing)];
    pending.reject(failure);
    const settled = await Promise.allSettled(callers);
    expect(settled.map((s) => (s.status === 'rejected' ? s.reason : undefined))).toEqual([failure, failure]);
    expect(computes).toBe(1);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    const retry = await cache.getOrCompute(image(5), async () => embeds(2));
    expect(retry.hit).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 1, misses: 2 });
  });

  it('refuses a computation that returns something other than a Float32Array, and caches nothing', async () => {
    const cache = newCache();
    await expect(cache.getOrCompute(image(6), async () => [1, 2, 3] as unknown as Float32Array)).rejects.toMatchObject({ code: ErrorCode.RuntimeFailure });
    expect(cache.stats().entries).toBe(0);
  });

  it('keeps the stored bytes within the budget, evicting the least recently used entries', async () => {
    const metrics = createServiceMetrics({ processMetrics: false });
    const cache = newCache({ maxBytes: 100, metrics }); // room for two 40-byte entries, not three
    await cache.getOrCompute(image(10), async () => embeds(10));
    await cache.getOrCompute(image(11), async () => embeds(10));
    await cache.getOrCompute(image(10), async () => embeds(10)); // touch 10: 11 is now least recent
    await cache.getOrCompute(image(12), async () => embeds(10));
    expect(cache.stats()).toEqual({ hits: 1, misses: 3, evictions: 1, bytes: 80, entries: 2 });
    expect((await cache.getOrCompute(image(10), async () => embeds(10))).hit).toBe(true);
    expect((await cache.getOrCompute(image(11), async () => embeds(10))).hit).toBe(false);
    const text = await metrics.render();
    expect(text).toMatch(/^glance_cache_evictions_total 2$/m);
    expect(text).toMatch(/^glance_cache_hits_total 2$/m);
    expect(text).toMatch(/^glance_cache_misses_total 4$/m);
    expect(text).toMatch(/^glance_cache_bytes 80$/m);
  });

  it('returns but does not store an embedding larger than the whole budget', async () => {
    const cache = newCache({ maxBytes: 16 });
    const result = await cache.getOrCompute(image(13), async () => embeds(8));
    expect(result.queryEmbeds.length).toBe(8);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('drops entries older than the TTL, counting them as evictions', async () => {
    let clock = 1_000;
    const metrics = createServiceMetrics({ processMetrics: false });
    const cache = newCache({ ttlMs: 60_000, now: () => clock, metrics });
    await cache.getOrCompute(image(20), async () => embeds(4));
    clock += 59_000;
    expect((await cache.getOrCompute(image(20), async () => embeds(4))).hit).toBe(true);
    clock += 2_000;
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 1 });
    expect((await cache.getOrCompute(image(20), async () => embeds(4))).hit).toBe(false);
    expect(await metrics.render()).toMatch(/^glance_cache_evictions_total 1$/m);
  });

  it('expires entries on a clock that starts at zero, on lookup as well as in stats()', async () => {
    let clock = 0;
    const cache = newCache({ ttlMs: 10, now: () => clock });
    await cache.getOrCompute(image(21), async () => embeds(4));
    clock = 20;
    expect((await cache.getOrCompute(image(21), async () => embeds(4))).hit).toBe(false);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 2, evictions: 1, entries: 1 });
  });

  it('clear() empties the cache and a computation in flight across it is not stored', async () => {
    const cache = newCache();
    await cache.getOrCompute(image(30), async () => embeds(4));
    const pending = deferred<Float32Array>();
    const inFlight = cache.getOrCompute(image(31), () => pending.promise);
    cache.clear();
    pending.resolve(embeds(4));
    expect((await inFlight).hit).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 });
  });

  it('rejects a non-positive byte budget with a coded error', () => {
    expect(() => newCache({ maxBytes: 0 })).toThrow(GlanceError);
  });
});
