import { describe, expect, it } from 'vitest';
import { createServiceMetrics, STAGES } from '../../../src/metrics/service-metrics.ts';

describe('createServiceMetrics', () => {
  it('renders every service metric in Prometheus text format', async () => {
    const metrics = createServiceMetrics({ processMetrics: false });
    for (const stage of STAGES) metrics.stageSeconds.observe({ stage }, 0.02);
    metrics.queueDepth.set(3);
    metrics.batchSize.observe(4);
    metrics.cacheHits.inc();
    metrics.cacheMisses.inc(2);
    metrics.cacheEvictions.inc();
    metrics.cacheBytes.set(4096);
    metrics.requests.inc({ route: '/v1/caption', code: 'ok' });
    metrics.requests.inc({ route: '/v1/ask', code: 'BUSY' });
    metrics.workerRestarts.inc();
    const text = await metrics.render();
    for (const stage of STAGES) expect(text).toContain(`glance_stage_seconds_count{stage="${stage}"} 1`);
    expect(text).toMatch(/^glance_queue_depth 3$/m);
    expect(text).toMatch(/^glance_batch_size_count 1$/m);
    expect(text).toMatch(/^glance_cache_hits_total 1$/m);
    expect(text).toMatch(/^glance_cache_misses_total 2$/m);
    expect(text).toMatch(/^glance_cache_evictions_total 1$/m);
    expect(text).toMatch(/^glance_cache_bytes 4096$/m);
    expect(text).toContain('glance_requests_total{route="/v1/ask",code="BUSY"} 1');
    expect(text).toMatch(/^glance_worker_restarts_total 1$/m);
    expect(metrics.contentType).toContain('text/plain');
  });

  it('keeps separate registries, so two services in one process do not collide', async () => {
    const a = createServiceMetrics();
    const b = createServiceMetrics();
    a.cacheHits.inc(5);
    expect(await b.render()).toMatch(/^glance_cache_hits_total 0$/m);
    expect(await a.render()).toContain('glance_process_cpu_user_seconds_total');
  });
});
