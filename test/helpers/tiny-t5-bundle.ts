/** The tiny Flan-T5-style fixture converted into a temporary bundle, once per test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { convertCheckpoint } from '../../engine/convert/convert-checkpoint.ts';
import { Blip2Runtime } from '../../engine/runtime/blip2-runtime.ts';
import { TEST_PROVIDER, TINY_T5 } from './fixtures.ts';

export async function convertTinyT5(): Promise<{ dir: string; cleanup: () => void }> {
  const work = mkdtempSync(join(tmpdir(), 'glance-tiny-t5-'));
  const dir = join(work, 'bundle');
  await convertCheckpoint({ checkpointDir: TINY_T5, outDir: dir });
  return { dir, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

/**
 * Registers beforeAll/afterAll hooks that convert the tiny T5 fixture and open it in-process (one thread, so float
 * summation order is stable); the returned getter gives the runtime inside tests.
 */
export function useTinyT5Runtime(): () => Blip2Runtime {
  let runtime: Blip2Runtime | undefined;
  let cleanup: (() => void) | undefined;
  beforeAll(async () => {
    const bundle = await convertTinyT5();
    cleanup = bundle.cleanup;
    runtime = await Blip2Runtime.open(bundle.dir, { provider: TEST_PROVIDER, threads: 1 });
  });
  afterAll(async () => {
    await runtime?.close();
    cleanup?.();
  });
  return () => {
    if (!runtime) throw new Error('the tiny T5 runtime is opened in beforeAll');
    return runtime;
  };
}
