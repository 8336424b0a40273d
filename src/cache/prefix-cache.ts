/**
 * Per-image cache of the language model's image prefix (the OPT key/value cache of the query embeddings alone;
 * engine/runtime/language-prefix.ts), so a follow-up question prefills only its own text. Kept apart from the
 * embedding cache, with its own byte budget: a prefix is far larger than the embeddings it comes from (all layers'
 * keys and values: 2 × layers × queries × hidden floats against queries × hidden), so under memory pressure
 * prefixes go first while the embeddings, which save the vision tower, stay.
 *
 * Keys are the embedding cache's (image hash + model + preprocessing). Entries expire with the same TTL.
 */
import type { LRUCache } from 'lru-cache';
import { byteBudgetLru } from './byte-budget-lru.ts';
import { languagePrefixBytes, type LanguagePrefix } from '../../engine/engine.ts';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';

export interface PrefixCacheOptions {
  /** Byte budget (sum of the prefixes' key and value buffers). */
  maxBytes: number;
  /** Time to live of an entry in milliseconds (dropped then, read or not); 0 = no expiry. */
  ttlMs: number;
  metrics?: ServiceMetrics;
  /** Clock in milliseconds for the TTL (tests); default performance.now. */
  now?: () => number;
}

export interface PrefixCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  bytes: number;
  entries: number;
}

export class PrefixCache {
  private readonly lru: LRUCache<string, LanguagePrefix>;
  private readonly metrics: ServiceMetrics | undefined;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(options: PrefixCacheOptions) {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes < 1) {
      throw new GlanceError(ErrorCode.InvalidInput, `prefix cache maxBytes must be a positive number of bytes (got ${options.maxBytes}).`);
    }
    this.metrics = options.metrics;
    this.lru = byteBudgetLru<LanguagePrefix>({
      maxBytes: options.maxBytes,
      ttlMs: options.ttlMs,
      sizeOf: languagePrefixBytes,
      now: options.now,
      onEvict: () => {
        this.evictions += 1;
        this.metrics?.prefixCacheEvictions.inc();
        // An expired entry is dropped by a timer, with no read after it to report the bytes.
        queueMicrotask(() => this.reportBytes());
      },
    });
  }

  /** The kept prefix for this cache key, counting a hit or a miss. */
  get(key: string): LanguagePrefix | undefined {
    const prefix = this.lru.get(key);
    if (prefix) {
      this.hits += 1;
      this.metrics?.prefixCacheHits.inc();
    } else {
      this.misses += 1;
      this.metrics?.prefixCacheMisses.inc();
    }
    this.reportBytes();
    return prefix;
  }

  /** Keeps a prefix (one larger than the whole budget is not kept). */
  set(key: string, prefix: LanguagePrefix): void {
    if (languagePrefixBytes(prefix) <= this.lru.maxSize) this.lru.set(key, prefix);
    this.reportBytes();
  }

  stats(): PrefixCacheStats {
    this.lru.purgeStale();
    this.reportBytes();
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, bytes: this.lru.calculatedSize, entries: this.lru.size };
  }

  clear(): void {
    this.lru.clear();
    this.reportBytes();
  }

  private reportBytes(): void {
    this.metrics?.prefixCacheBytes.set(this.lru.calculatedSize);
  }
}
