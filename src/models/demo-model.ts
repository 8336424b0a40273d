/**
 * The demo models, made by glance itself with no download and nothing outside the repository: a tiny BLIP-2 with
 * random weights (src/models/demo/: config, built tokenizer, fixed seed), synthesized once into `<dataDir>/demo/` and
 * then converted once into `<dataDir>/models/` exactly like a real checkpoint folder. Its output is exact (the same
 * every run, as transformers would compute it from these weights) but meaningless. `caption` (BLIP-2 OPT) serves
 * `glance start`, `caption` and `ask`; `retrieval` (BLIP-2 image-text retrieval) serves `glance match` and `embed`.
 */
import { convertCheckpointOnce } from './converted-checkpoint.ts';
import { inDataDir } from './data-dir-errors.ts';
import { demoCheckpoint } from './demo/demo-checkpoint.ts';
import { DEMO_MODEL_IDS, demoRecipe, type DemoKind } from './demo/demo-recipes.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelProgressReport } from './model-progress.ts';
import { stoppable } from './stoppable.ts';

export type { DemoKind } from './demo/demo-recipes.ts';

/** The id of the caption demo (BLIP-2 OPT). */
export const DEMO_MODEL_ID = DEMO_MODEL_IDS.caption;
/** The id of the retrieval demo (Blip2ForImageTextRetrieval). */
export const DEMO_RETRIEVAL_MODEL_ID = DEMO_MODEL_IDS.retrieval;

export interface DemoModelOptions {
  /** Which demo: `caption` (default) or `retrieval`. */
  kind?: DemoKind;
  onProgress?: ModelProgressReport;
  log?: Logger;
  /** Stops the synthesis, the conversion or the wait for another process's: the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface DemoModel {
  bundleDir: string;
  modelId: string;
  source: 'demo';
}

export function demoModel(dataDir: string, options: DemoModelOptions = {}): Promise<DemoModel> {
  return stoppable(options.signal, () => inDataDir(dataDir, () => readyDemo(dataDir, options)));
}

async function readyDemo(dataDir: string, options: DemoModelOptions): Promise<DemoModel> {
  const recipe = await demoRecipe(options.kind ?? 'caption');
  const checkpointDir = await demoCheckpoint(dataDir, recipe, { log: options.log, signal: options.signal });
  const { bundleDir } = await convertCheckpointOnce({ checkpointDir, dataDir, name: `demo-${recipe.name}`, onProgress: options.onProgress, log: options.log, signal: options.signal });
  return { bundleDir, modelId: recipe.modelId, source: 'demo' };
}
