/**
 * The LRU both per-image caches use (embeddings, language-model prefixes): lru-cache with a byte budget (the least
 * recently used entries go first), an optional TTL, and a callback for each entry dropped by the budget or the TTL
 * (what the caches count as evictions; clear() and overwrites are not). With a TTL an entry is dropped when it
 * expires (lru-cache's ttlAutopurge: one unref'd timer per entry), not at the next read: the privacy statement
 * promises image embeddings live only for the cache TTL.
 */
import { LRUCache } from 'lru-cache';

export interface ByteBudgetLruOptions<V> {
  maxBytes: number;
  /** Time to live in milliseconds from when an entry was stored (dropped then, read or not); 0 = none. */
  ttlMs: number;
  sizeOf: (value: V) => number;
  /** Called as the entry is dropped; the cache's size may count it until the current task ends (queue a microtask to read it). */
  onEvict: () => void;
  /** Clock in milliseconds for the TTL (tests); default lru-cache's own. */
  now?: () => number;
}

export function byteBudgetLru<V extends object>(options: ByteBudgetLruOptions<V>): LRUCache<string, V> {
  return new LRUCache<string, V>({
    maxSize: Math.floor(options.maxBytes),
    sizeCalculation: (value) => Math.max(1, options.sizeOf(value)),
    ...(options.ttlMs > 0 ? { ttl: Math.max(1, Math.round(options.ttlMs)), ttlAutopurge: true } : {}),
    // lru-cache reads a start time of 0 as "no TTL": count from 1 at construction on the given clock.
    ...(options.now ? { perf: { now: clockFrom(options.now) }, ttlResolution: 0 } : {}),
    dispose: (_value, _key, reason) => {
      if (reason === 'evict' || reason === 'expire') options.onEvict();
    },
  });
}

function clockFrom(now: () => number): () => number {
  const origin = now();
  return () => now() - origin + 1;
}
