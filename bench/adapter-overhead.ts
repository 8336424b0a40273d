/**
 * What the chat-adapter benchmarks (discord-bench.ts, slack-bench.ts) share: the model they run (the tiny fixture, or
 * depth8 random weights), a service wrapper that notes when each request entered and left the service and how long
 * the service itself took, and the overhead samples: end to end (event sent → reply at the fake) minus the model's
 * time = the adapter's overhead, split into before the service was called and after it answered.
 */
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { convertCheckpoint } from '../engine/convert/convert-checkpoint.ts';
import type { ServiceConfig } from '../src/config/service-config.ts';
import { GlanceService, type ServiceRequest, type ServiceResult } from '../src/service/glance-service.ts';
import { ensureBundle } from './service-bench.ts';
import { distribution, distributionRow, type Distribution } from './statistics.ts';

export const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));

export type BenchModel = 'tiny' | 'depth8';

export function benchModelLabel(model: BenchModel): string {
  return model === 'depth8' ? 'blip2-opt-2.7b-depth8 random weights (int4)' : 'tiny model';
}

/** Starts the service on the tiny fixture (converted into `work`) or on the depth8 int4 bundle in `benchWork`. */
export async function startBenchService(model: BenchModel, work: string, config: ServiceConfig, options: { threads?: number; benchWork?: string }): Promise<GlanceService> {
  let bundleDir: string;
  if (model === 'depth8') {
    bundleDir = await ensureBundle(options.benchWork ?? '.bench', 'int4');
  } else {
    bundleDir = join(work, 'bundle');
    await convertCheckpoint({ checkpointDir: join(FIXTURES, 'tiny-blip2-opt'), outDir: bundleDir });
  }
  return GlanceService.start({
    bundleDir,
    modelId: model === 'depth8' ? 'blip2-opt-2.7b-depth8' : 'tiny-opt',
    threads: options.threads,
    maxPixels: config.limits.maxPixels,
    cache: config.cache,
    queue: config.queue,
  });
}

/** The service as the adapter sees it, noting the last request's entry and exit times and the service's own time. */
export class TimedService {
  startedAt = 0;
  endedAt = 0;
  modelMs = 0;
  readonly #service: GlanceService;

  constructor(service: GlanceService) {
    this.#service = service;
  }

  async run(request: ServiceRequest): Promise<ServiceResult> {
    this.startedAt = performance.now();
    const result = await this.#service.run(request);
    this.endedAt = performance.now();
    this.modelMs = result.timingsMs.total;
    return result;
  }
}

export interface OverheadReport {
  samples: number;
  endToEndMs: Distribution;
  modelMs: Distribution;
  overheadMs: Distribution;
  /** Event sent → the service called. */
  beforeModelMs: Distribution;
  /** The service's answer → the reply at the fake. */
  afterModelMs: Distribution;
  host: { cores: number; load1: number };
}

export class OverheadSamples {
  readonly #endToEnd: number[] = [];
  readonly #model: number[] = [];
  readonly #before: number[] = [];
  readonly #after: number[] = [];

  /** One request: sent at `start`, its reply seen at `end`; `timed` holds the service's side of it. */
  add(start: number, end: number, timed: TimedService): void {
    this.#endToEnd.push(end - start);
    this.#model.push(timed.modelMs);
    this.#before.push(timed.startedAt - start);
    this.#after.push(end - timed.endedAt);
  }

  report(): OverheadReport {
    return {
      samples: this.#endToEnd.length,
      endToEndMs: distribution(this.#endToEnd),
      modelMs: distribution(this.#model),
      overheadMs: distribution(this.#endToEnd.map((ms, i) => ms - this.#model[i])),
      beforeModelMs: distribution(this.#before),
      afterModelMs: distribution(this.#after),
      host: { cores: availableParallelism(), load1: loadavg()[0] },
    };
  }
}

/** The report's table; `labels` name the end-to-end row and what happens before and after the model. */
export function renderOverheadTable(report: OverheadReport, labels: { endToEnd: string; before: string; after: string }): string[] {
  return [
    '| ms | median | p95 |',
    '| --- | --- | --- |',
    distributionRow(labels.endToEnd, report.endToEndMs),
    distributionRow('model (service timings total)', report.modelMs),
    distributionRow('adapter overhead (difference)', report.overheadMs),
    distributionRow(`… before the model: ${labels.before}`, report.beforeModelMs),
    distributionRow(`… after the model: ${labels.after}`, report.afterModelMs),
  ];
}
