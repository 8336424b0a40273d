/**
 * The tiny fixtures (OPT, Flan-T5, image-text retrieval) converted into temporary bundles, and hooks that open them
 * in-process once per test file (one thread, so float summation order is stable).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { convertCheckpoint } from '../../engine/convert/convert-checkpoint.ts';
import { synthesizeCheckpoint } from '../../engine/convert/synthesize-checkpoint.ts';
import { Blip2Runtime, type RuntimeOptions } from '../../engine/runtime/blip2-runtime.ts';
import { RetrievalRuntime } from '../../engine/runtime/retrieval-runtime.ts';
import { TEST_PROVIDER, TINY_ITM, TINY_OPT, TINY_T5 } from './fixtures.ts';

export interface TinyBundle {
  dir: string;
  cleanup: () => void;
}

/** Converts a fixture checkpoint into a fresh temporary folder; `cleanup` removes it. */
export async function convertTinyFixture(checkpointDir: string, dtype?: string): Promise<TinyBundle> {
  const work = mkdtempSync(join(tmpdir(), 'glance-tiny-'));
  const dir = join(work, 'bundle');
  await convertCheckpoint({ checkpointDir, outDir: dir, dtype });
  return { dir, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

export const convertTinyOpt = (): Promise<TinyBundle> => convertTinyFixture(TINY_OPT);
export const convertTinyT5 = (): Promise<TinyBundle> => convertTinyFixture(TINY_T5);
export const convertTinyItm = (): Promise<TinyBundle> => convertTinyFixture(TINY_ITM);

interface Closable {
  close(): Promise<void>;
}

/** beforeAll/afterAll hooks that convert `checkpointDir` and open it with `open`; the getter gives the runtime inside tests. */
function useTinyRuntime<R extends Closable>(checkpointDir: string, open: (dir: string, options: RuntimeOptions) => Promise<R>): () => R {
  let runtime: R | undefined;
  let bundle: TinyBundle | undefined;
  beforeAll(async () => {
    bundle = await convertTinyFixture(checkpointDir);
    runtime = await open(bundle.dir, { provider: TEST_PROVIDER, threads: 1 });
  });
  afterAll(async () => {
    await runtime?.close();
    bundle?.cleanup();
  });
  return () => {
    if (!runtime) throw new Error(`the runtime for ${checkpointDir} is opened in beforeAll`);
    return runtime;
  };
}

export const useTinyOptRuntime = (): (() => Blip2Runtime) => useTinyRuntime(TINY_OPT, (dir, options) => Blip2Runtime.open(dir, options));
export const useTinyT5Runtime = (): (() => Blip2Runtime) => useTinyRuntime(TINY_T5, (dir, options) => Blip2Runtime.open(dir, options));
export const useTinyItmRuntime = (): (() => RetrievalRuntime) => useTinyRuntime(TINY_ITM, (dir, options) => RetrievalRuntime.open(dir, options));

export interface SyntheticModel<R> {
  runtime: R;
  /** The checkpoint's safetensors file names. */
  shards: string[];
}

/**
 * beforeAll/afterAll hooks that synthesize a random-weight checkpoint for `config` (tokenizer and preprocessor from
 * `fixtureDir`), convert it and open it on one thread; the getter gives the runtime and the checkpoint's shards.
 */
export function useSyntheticModel<R extends Closable>(
  config: Record<string, unknown>,
  fixtureDir: string,
  synthesis: { seed: number; dtype?: 'F32' | 'F16'; maxShardBytes?: number },
  open: (dir: string, options: RuntimeOptions) => Promise<R>,
): () => SyntheticModel<R> {
  let model: SyntheticModel<R> | undefined;
  let work: string | undefined;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'glance-synthetic-'));
    const checkpoint = join(work, 'checkpoint');
    const preprocessor = JSON.parse(readFileSync(join(fixtureDir, 'preprocessor_config.json'), 'utf8'));
    await synthesizeCheckpoint({ config, preprocessor, tokenizerDir: fixtureDir, outDir: checkpoint, ...synthesis });
    await convertCheckpoint({ checkpointDir: checkpoint, outDir: join(work, 'bundle') });
    const shards = readdirSync(checkpoint).filter((f) => f.endsWith('.safetensors'));
    model = { runtime: await open(join(work, 'bundle'), { provider: TEST_PROVIDER, threads: 1 }), shards };
  });
  afterAll(async () => {
    await model?.runtime.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  return () => {
    if (!model) throw new Error('the synthetic model is opened in beforeAll');
    return model;
  };
}
