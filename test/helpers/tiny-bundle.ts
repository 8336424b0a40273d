/** The tiny OPT fixture converted into a temporary bundle, once per test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { convertCheckpoint } from '../../engine/convert/convert-checkpoint.ts';
import { Blip2Runtime } from '../../engine/runtime/blip2-runtime.ts';
import { TEST_PROVIDER, TINY_OPT } from './fixtures.ts';

export async function convertTinyOpt(): Promise<{ dir: string; cleanup: () => void }> {
  const work = mkdtempSync(join(tmpdir(), 'glance-tiny-'));
  const dir = join(work, 'bundle');
  await convertCheckpoint({ checkpointDir: TINY_OPT, outDir: dir });
  return { dir, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

/**
 * Registers beforeAll/afterAll hooks that convert the tiny OPT fixture and open it in-process (one thread, so float
 * summation order is stable); the returned getter gives the runtime inside tests.
 */
export function useTinyOptRuntime(): () => Blip2Runtime {
  let runtime: Blip2Runtime | undefined;
  let cleanup: (() => void) | undefined;
  beforeAll(async () => {
    const bundle = await convertTinyOpt();
    cleanup = bundle.cleanup;
    runtime = await Blip2Runtime.open(bundle.dir, { provider: TEST_PROVIDER, threads: 1 });
  });
  afterAll(async () => {
    await runtime?.close();
    cleanup?.();
  });
  return () => {
    if (!runtime) throw new Error('the tiny runtime is opened in beforeAll');
    return runtime;
  };
}
