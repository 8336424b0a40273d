/**
 * A demo model's Hugging Face checkpoint, synthesized once into `<dataDir>/demo/<name>-<recipe hash>/` from its
 * recipe (config, preprocessor, built tokenizer, seeded random weights) and reused after. The hash covers everything
 * the checkpoint is made of, so a glance whose demo recipe differs makes a new folder instead of reusing an old one.
 * The synthesis writes into a hidden sibling and renames it at the end, and a marker file is written inside before the
 * rename: a folder without it (someone's leftovers) is deleted and made again, so a partial synthesis is never used.
 * One process at a time synthesizes a given recipe (folder-lock.ts); the others wait and reuse its folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { synthesizeCheckpoint } from '../../../engine/convert/synthesize-checkpoint.ts';
import type { Logger } from '../../log/logger.ts';
import { withFolderLock } from '../folder-lock.ts';
import type { DemoRecipe } from './demo-recipes.ts';

export const SYNTHESIZED_MARKER = '.glance-synthesized.json';

/** Bumped when synthesizeCheckpoint would write other bytes for the same recipe (e.g. another weight distribution). */
const SYNTHESIS_VERSION = 1;

export function recipeHash(recipe: DemoRecipe): string {
  const { seed, config, preprocessor, tokenizer } = recipe;
  return createHash('sha256').update(JSON.stringify({ version: SYNTHESIS_VERSION, seed, config, preprocessor, tokenizer })).digest('hex').slice(0, 12);
}

async function isComplete(dir: string): Promise<boolean> {
  return stat(join(dir, SYNTHESIZED_MARKER)).then((info) => info.isFile(), () => false);
}

/** The checkpoint folder of `recipe` under `dataDir`, synthesized first if it is not there (complete) yet. */
export async function demoCheckpoint(dataDir: string, recipe: DemoRecipe, options: { log?: Logger; signal?: AbortSignal } = {}): Promise<string> {
  const hash = recipeHash(recipe);
  const dir = join(resolve(dataDir), 'demo', `${recipe.name}-${hash}`);
  if (await isComplete(dir)) return dir;
  return withFolderLock(`${dir}.lock`, `the demo checkpoint ${dir}`, async () => {
    // Another process may have made it while this one waited for the lock.
    if (!(await isComplete(dir))) await synthesizeInto(dir, recipe, hash, options);
    return dir;
  }, options.log, options.signal);
}

async function synthesizeInto(dir: string, recipe: DemoRecipe, hash: string, options: { log?: Logger; signal?: AbortSignal }): Promise<void> {
  options.log?.info({ model: recipe.modelId, dir }, 'making the demo checkpoint (once): random weights');
  await mkdir(dirname(dir), { recursive: true });
  const temp = join(dirname(dir), `.${basename(dir)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    await synthesizeCheckpoint({ config: recipe.config, preprocessor: recipe.preprocessor, tokenizer: recipe.tokenizer, outDir: temp, seed: recipe.seed });
    await writeFile(join(temp, SYNTHESIZED_MARKER), `${JSON.stringify({ model: recipe.modelId, seed: recipe.seed, recipe: hash }, null, 2)}\n`);
    options.signal?.throwIfAborted();
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
