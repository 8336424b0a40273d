/** PrefixCache: byte budget over whole prefixes (LRU first out), hit/miss/eviction counts and metrics, TTL-free. */
import { describe, expect, it } from 'vitest';
import type { LanguagePrefix } from '../../../engine/engine.ts';
import { PrefixCache } from '../../../src/cache/prefix-cache.ts';
import { createServiceMetrics } from '../../../src/metrics/service-metrics.ts';

/** A prefix of 2 layers × 2 heads × 4 positions × 8 dims: 2 × 2 × 64 floats = 1024 bytes. */
function prefix(fill: number): LanguagePrefix {
  const part = () => new Float32Array(2 * 4 * 8).fill(fill);
  return { length: 4, tokenIds: [], numHeads: 2, headDim: 8, keys: [part(), part()], values: [part(), part()] };
}

describe('PrefixCache', () => {
  it('keeps prefixes within the byte budget, evicting the least recently used', async () => {
    const metrics = createServiceMetrics({ processMetrics: false });
    const cache = new PrefixCache({ maxBytes: 2.5 * 1024, ttlMs: 0, metrics });
    cache.set('a', prefix(1));
    cache.set('b', prefix(2));
    expect(cache.get('a')?.keys[0][0]).toBe(1); // a is now the most recent
    cache.set('c', prefix(3));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.stats()).toEqual({ hits: 2, misses: 1, evictions: 1, bytes: 2048, entries: 2 });
    const text = await metrics.render();
    expect(text).toMatch(/glance_prefix_cache_bytes 2048/);
    expect(text).toMatch(/glance_prefix_cache_hits_total 2/);
    expect(text).toMatch(/glance_prefix_cache_evictions_total 1/);
  });

  it('does not keep a prefix larger than the whole budget', () => {
    const cache = new PrefixCache({ maxBytes: 512, ttlMs: 0 });
    cache.set('a', prefix(1));
    expect(cache.stats().entries).toBe(0);
  });

  it('refuses a budget that is not a positive number of bytes', () => {
    expect(() => new PrefixCache({ maxBytes: 0, ttlMs: 0 })).toThrow(/positive number of bytes/);
  });
});
