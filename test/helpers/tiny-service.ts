/**
 * The real GlanceService on the tiny OPT fixture bundle for service-level tests: one onnxruntime thread, a 16 MiB
 * embedding cache, a queue roomy enough not to refuse anything a test does not mean it to. `overrides` replace parts of
 * those options (a queue setting, generation limits, an injected engine opener…).
 */
import { afterAll, beforeAll } from 'vitest';
import { GlanceService, type GlanceServiceOptions } from '../../src/service/glance-service.ts';
import { TEST_PROVIDER } from './fixtures.ts';
import { convertTinyOpt, type TinyBundle } from './tiny-bundle.ts';

export function tinyServiceOptions(bundleDir: string, overrides: Partial<GlanceServiceOptions> = {}): GlanceServiceOptions {
  return {
    bundleDir,
    modelId: 'tiny-blip2-opt',
    provider: TEST_PROVIDER,
    threads: 1,
    cache: { maxBytes: 16 * 1024 * 1024, ttlMs: 60_000 },
    queue: { maxQueued: 8, maxBatch: 8, perUserPerMinute: 100, deadlineMs: 60_000 },
    ...overrides,
  };
}

/** beforeAll: the tiny bundle converted (once per file) and the service started on it; afterAll: both gone. */
export function useTinyServiceBundle(overrides: Partial<GlanceServiceOptions> = {}): { bundle: () => TinyBundle; service: () => GlanceService } {
  let bundle: TinyBundle | undefined;
  let service: GlanceService | undefined;
  beforeAll(async () => {
    bundle = await convertTinyOpt();
    service = await GlanceService.start(tinyServiceOptions(bundle.dir, overrides));
  });
  afterAll(async () => {
    await service?.close({ graceMs: 0 });
    bundle?.cleanup();
  });
  return {
    bundle: () => bundle ?? fail('the tiny bundle is converted in beforeAll'),
    service: () => service ?? fail('the tiny service starts in beforeAll'),
  };
}

function fail(message: string): never {
  throw new Error(message);
}
