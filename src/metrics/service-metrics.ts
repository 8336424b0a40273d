/**
 * The service's Prometheus metrics, in one registry (not the global one, so several services in one
 * process — tests — never collide). This is the only file that imports prom-client.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The request stages timed by `stageSeconds`. */
export const STAGES = ['queue', 'preprocess', 'vision', 'prefill', 'decode', 'total'] as const;
export type Stage = (typeof STAGES)[number];

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Seconds spent per request stage. */
  readonly stageSeconds: Histogram<'stage'>;
  /** Requests waiting in the scheduler's queue. */
  readonly queueDepth: Gauge;
  /** Requests run together in one engine batch. */
  readonly batchSize: Histogram;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly cacheEvictions: Counter;
  /** Bytes of embeddings held by the embedding cache. */
  readonly cacheBytes: Gauge;
  readonly prefixCacheHits: Counter;
  readonly prefixCacheMisses: Counter;
  readonly prefixCacheEvictions: Counter;
  /** Bytes of language-model image prefixes held by the prefix cache. */
  readonly prefixCacheBytes: Gauge;
  /** Finished requests by route and outcome code (`ok` or an ErrorCode). */
  readonly requests: Counter<'route' | 'code'>;
  /** Engine worker restarts after a crash. */
  readonly workerRestarts: Counter;
  /** The registry in Prometheus text exposition format. */
  render(): Promise<string>;
  /** The content type `render()` produces, for the HTTP response. */
  readonly contentType: string;
}

export interface ServiceMetricsOptions {
  /** Also collect the process metrics (CPU, memory, event-loop lag) prom-client offers. Default true. */
  processMetrics?: boolean;
}

export function createServiceMetrics(options: ServiceMetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'glance_' });
  const registers = [registry];
  const stageSeconds = new Histogram({
    name: 'glance_stage_seconds',
    help: 'Seconds spent per request stage (queue, preprocess, vision, prefill, decode, total).',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const queueDepth = new Gauge({ name: 'glance_queue_depth', help: 'Requests waiting in the queue.', registers });
  const batchSize = new Histogram({
    name: 'glance_batch_size',
    help: 'Requests run together in one engine batch.',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16, 32],
    registers,
  });
  const cacheHits = new Counter({ name: 'glance_cache_hits_total', help: 'Embedding cache hits (including waits on an in-flight computation).', registers });
  const cacheMisses = new Counter({ name: 'glance_cache_misses_total', help: 'Embedding cache misses (vision encoder runs started).', registers });
  const cacheEvictions = new Counter({ name: 'glance_cache_evictions_total', help: 'Embeddings dropped from the cache for the byte budget or TTL.', registers });
  const cacheBytes = new Gauge({ name: 'glance_cache_bytes', help: 'Bytes of embeddings held by the embedding cache.', registers });
  const prefixCacheHits = new Counter({ name: 'glance_prefix_cache_hits_total', help: 'Prompts whose image prefix (the language model cache of the image queries) was kept from an earlier request.', registers });
  const prefixCacheMisses = new Counter({ name: 'glance_prefix_cache_misses_total', help: 'Prompts whose image prefix had to be computed.', registers });
  const prefixCacheEvictions = new Counter({ name: 'glance_prefix_cache_evictions_total', help: 'Image prefixes dropped for the byte budget or TTL.', registers });
  const prefixCacheBytes = new Gauge({ name: 'glance_prefix_cache_bytes', help: 'Bytes of image prefixes held by the prefix cache.', registers });
  const requests = new Counter({
    name: 'glance_requests_total',
    help: 'Finished requests by route and outcome code (ok or an error code).',
    labelNames: ['route', 'code'] as const,
    registers,
  });
  const workerRestarts = new Counter({ name: 'glance_worker_restarts_total', help: 'Engine worker restarts after a crash.', registers });
  return {
    registry,
    stageSeconds,
    queueDepth,
    batchSize,
    cacheHits,
    cacheMisses,
    cacheEvictions,
    cacheBytes,
    prefixCacheHits,
    prefixCacheMisses,
    prefixCacheEvictions,
    prefixCacheBytes,
    requests,
    workerRestarts,
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
