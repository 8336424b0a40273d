/**
 * The model of `glance caption` / `ask` / `match` / `embed`: `--model` or GLANCE_MODEL, a converted bundle, a Hugging
 * Face checkpoint folder or a Hub id, made ready as `glance start` does (downloaded and converted once into
 * `--data-dir` / GLANCE_DATA_DIR; HF_ENDPOINT and HF_TOKEN for the Hub). Progress goes to stderr, so stdout holds only
 * the results.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { loadServiceConfig } from '../config/service-config.ts';
import { resolveModel } from '../models/resolve-model.ts';
import { modelProgressBars } from './model-progress-bars.ts';

export interface CliModelFlags {
  model?: string;
  dataDir?: string;
}

/** The bundle folder the engine opens. */
export async function resolveCliModel(flags: CliModelFlags): Promise<string> {
  const overrides: Record<string, string> = {};
  if (flags.model !== undefined) overrides.GLANCE_MODEL = flags.model;
  if (flags.dataDir !== undefined) overrides.GLANCE_DATA_DIR = flags.dataDir;
  const config = loadServiceConfig({ overrides });
  if (config.model === undefined) {
    throw new GlanceError(ErrorCode.ModelUnavailable, 'No model given: pass --model with a bundle folder written by `glance convert`, a Hugging Face BLIP-2 checkpoint folder, or a Hub id such as Salesforce/blip2-opt-2.7b (or set GLANCE_MODEL).');
  }
  const bars = modelProgressBars();
  try {
    const { bundleDir } = await resolveModel(config.model, { dataDir: config.dataDir, onProgress: bars.report, hubUrl: config.hub.url, accessToken: config.hub.accessToken });
    return bundleDir;
  } finally {
    bars.stop();
  }
}
