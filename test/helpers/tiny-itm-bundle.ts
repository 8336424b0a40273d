/** The tiny retrieval fixture (Blip2ForImageTextRetrieval) converted into a temporary bundle, once per test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { convertCheckpoint } from '../../engine/convert/convert-checkpoint.ts';
import { RetrievalRuntime } from '../../engine/runtime/retrieval-runtime.ts';
import { FIXTURES, TEST_PROVIDER } from './fixtures.ts';

export const TINY_ITM = join(FIXTURES, 'tiny-blip2-itm');

export async function convertTinyItm(): Promise<{ dir: string; cleanup: () => void }> {
  const work = mkdtempSync(join(tmpdir(), 'glance-tiny-itm-'));
  const dir = join(work, 'bundle');
  await convertCheckpoint({ checkpointDir: TINY_ITM, outDir: dir });
  return { dir, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

/** beforeAll/afterAll hooks that convert the tiny ITM fixture and open it in-process on one thread; returns a getter. */
export function useTinyItmRuntime(): () => RetrievalRuntime {
  let runtime: RetrievalRuntime | undefined;
  let cleanup: (() => void) | undefined;
  beforeAll(async () => {
    const bundle = await convertTinyItm();
    cleanup = bundle.cleanup;
    runtime = await RetrievalRuntime.open(bundle.dir, { provider: TEST_PROVIDER, threads: 1 });
  });
  afterAll(async () => {
    await runtime?.close();
    cleanup?.();
  });
  return () => {
    if (!runtime) throw new Error('the tiny ITM runtime is opened in beforeAll');
    return runtime;
  };
}
