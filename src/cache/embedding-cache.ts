/**
 * Per-image cache of the engine's projected query embeddings, so a follow-up question about the same image
 * skips the vision encoder (an LRU from byte-budget-lru.ts).
 *
 * - Key: sha256 of the image bytes + model id + preprocessing version (a new model or preprocessing never
 *   reads an old entry).
 * - Budget: the sum of the cached Float32Arrays' byteLength stays within `maxBytes`; the least recently
 *   used entries are evicted first. Entries older than `ttlMs` are dropped.
 * - Concurrent `getOrCompute` calls for the same key share ONE computation (the in-flight promise is
 *   shared, as transformers.js' memoize_promise does); a failed computation is not cached and its error
 *   reaches every waiter, and the next call computes afresh.
 *
 * Cached arrays are shared between callers: treat them as read-only.
 */
import { createHash } from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { byteBudgetLru } from './byte-budget-lru.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export interface EmbeddingCacheOptions {
  /** Byte budget for the cached embeddings (sum of Float32Array byteLength). */
  maxBytes: number;
  /** Time to live of an entry in milliseconds (from when it was stored); 0 = no expiry. */
  ttlMs: number;
  modelId: string;
  preprocessVersion: string;
  metrics?: ServiceMetrics;
  /** Clock in milliseconds for the TTL (tests); default performance.now. */
  now?: () => number;
}

export interface EmbeddingLookup {
  queryEmbeds: Float32Array;
  /** True when no computation was started for this call: a stored entry, or a shared in-flight one. */
  hit: boolean;
  /** sha256 hex of the image bytes. */
  imageHash: string;
  /** The cache key (image hash + model + preprocessing), for caches of things derived from these embeddings. */
  key: string;
  /** True when this call waited on another caller's in-flight computation. */
  shared: boolean;
}

export interface EmbeddingCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  bytes: number;
  entries: number;
}

export class EmbeddingCache {
  private readonly lru: LRUCache<string, Float32Array>;
  private readonly inFlight = new Map<string, Promise<Float32Array>>();
  private readonly options: EmbeddingCacheOptions;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  /** Bumped by clear(): computations started before it do not store their result. */
  private epoch = 0;

  constructor(options: EmbeddingCacheOptions) {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes < 1) {
      throw new GlanceError(ErrorCode.InvalidInput, `embedding cache maxBytes must be a positive number of bytes (got ${options.maxBytes}).`);
    }
    if (!Number.isFinite(options.ttlMs) || options.ttlMs < 0) {
      throw new GlanceError(ErrorCode.InvalidInput, `embedding cache ttlMs must be zero or more milliseconds (got ${options.ttlMs}).`);
    }
    this.options = options;
    this.lru = byteBudgetLru<Float32Array>({
      maxBytes: options.maxBytes,
      ttlMs: options.ttlMs,
      sizeOf: (value) => value.byteLength,
      now: options.now,
      onEvict: () => {
        this.evictions += 1;
        options.metrics?.cacheEvictions.inc();
        // An expired entry is dropped by a timer, with no read after it to report the bytes.
        queueMicrotask(() => this.reportBytes());
      },
    });
  }

  /** sha256 of the image bytes, lowercase hex. */
  static hashImage(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  /**
   * The embeddings of `bytes`: from the cache, from a computation already in flight for the same image,
   * or from `compute(bytes)` (stored when it succeeds and fits the budget).
   */
  async getOrCompute(bytes: Uint8Array, compute: (bytes: Uint8Array) => Promise<Float32Array>): Promise<EmbeddingLookup> {
    const imageHash = EmbeddingCache.hashImage(bytes);
    const key = `${imageHash}:${this.options.modelId}:${this.options.preprocessVersion}`;
    const stored = this.lru.get(key);
    this.reportBytes(); // a get may have dropped an expired entry
    if (stored) {
      this.countHit();
      return { queryEmbeds: stored, hit: true, imageHash, key, shared: false };
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.countHit();
      return { queryEmbeds: await pending, hit: true, imageHash, key, shared: true };
    }
    this.misses += 1;
    this.options.metrics?.cacheMisses.inc();
    const epoch = this.epoch;
    const computation = (async () => {
      try {
        const value = await compute(bytes);
        if (!(value instanceof Float32Array)) {
          throw new GlanceError(ErrorCode.RuntimeFailure, 'embedding computation did not return a Float32Array.');
        }
        if (epoch === this.epoch) {
          this.lru.set(key, value);
          this.reportBytes();
        }
        return value;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, computation);
    return { queryEmbeds: await computation, hit: false, imageHash, key, shared: false };
  }

  stats(): EmbeddingCacheStats {
    this.lru.purgeStale();
    this.reportBytes();
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, bytes: this.lru.calculatedSize, entries: this.lru.size };
  }

  /** Drops every stored entry (not counted as evictions); computations in flight finish but are not stored. */
  clear(): void {
    this.epoch += 1;
    this.lru.clear();
    this.reportBytes();
  }

  private countHit(): void {
    this.hits += 1;
    this.options.metrics?.cacheHits.inc();
  }

  private reportBytes(): void {
    this.options.metrics?.cacheBytes.set(this.lru.calculatedSize);
  }
}
