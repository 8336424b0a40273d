/**
 * Both per-image caches drop an entry when its TTL passes, with no read after it (fake timers and a fake clock):
 * the entry, its bytes and the byte gauge are gone, counted as an eviction — embeddings live only for the cache TTL.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LanguagePrefix } from '../../../engine/engine.ts';
import { EmbeddingCache } from '../../../src/cache/embedding-cache.ts';
import { PrefixCache } from '../../../src/cache/prefix-cache.ts';
import { createServiceMetrics, type ServiceMetrics } from '../../../src/metrics/service-metrics.ts';

const TTL_MS = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A metric's current value as the /metrics endpoint shows it (reading it reads nothing of the cache). */
async function metric(metrics: ServiceMetrics, name: string): Promise<number> {
  const line = (await metrics.render()).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('cache TTL', () => {
  it('drops an expired embedding and its bytes without a read', async () => {
    const metrics = createServiceMetrics({ processMetrics: false });
    const cache = new EmbeddingCache({ maxBytes: 1024 * 1024, ttlMs: TTL_MS, modelId: 'm', preprocessVersion: 'p', metrics, now: () => Date.now() });
    await cache.getOrCompute(new Uint8Array([1, 2, 3]), async () => new Float32Array(256));
    expect(await metric(metrics, 'glance_cache_bytes')).toBe(1024);
    vi.advanceTimersByTime(TTL_MS - 1000);
    await Promise.resolve();
    expect(await metric(metrics, 'glance_cache_bytes')).toBe(1024);
    vi.advanceTimersByTime(2000);
    await Promise.resolve();
    expect(await metric(metrics, 'glance_cache_evictions_total')).toBe(1);
    expect(await metric(metrics, 'glance_cache_bytes')).toBe(0);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 1 });
  });

  it('drops an expired language-model prefix and its bytes without a read', async () => {
    const metrics = createServiceMetrics({ processMetrics: false });
    const cache = new PrefixCache({ maxBytes: 1024 * 1024, ttlMs: TTL_MS, metrics, now: () => Date.now() });
    const part = () => new Float32Array(2 * 4 * 8);
    const prefix: LanguagePrefix = { length: 4, tokenIds: [], numHeads: 2, headDim: 8, keys: [part(), part()], values: [part(), part()] };
    cache.set('a', prefix);
    expect(await metric(metrics, 'glance_prefix_cache_bytes')).toBe(1024);
    vi.advanceTimersByTime(TTL_MS + 1000);
    await Promise.resolve();
    expect(await metric(metrics, 'glance_prefix_cache_evictions_total')).toBe(1);
    expect(await metric(metrics, 'glance_prefix_cache_bytes')).toBe(0);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 1 });
  });
});
