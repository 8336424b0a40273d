/**
 * The model and engine settings of `glance caption` / `ask` / `match` / `embed`, from their flags or else the same
 * validated configuration `glance start` reads (environment, `.env`): `--model` or GLANCE_MODEL — a converted bundle,
 * a Hugging Face checkpoint folder or a Hub id, made ready as `glance start` does (downloaded and converted once into
 * `--data-dir` / GLANCE_DATA_DIR; HF_ENDPOINT and HF_TOKEN for the Hub) — and `--provider` / GLANCE_PROVIDER,
 * `--threads` / GLANCE_THREADS, `--max-pixels` / GLANCE_MAX_PIXELS. Progress goes to stderr, so stdout holds only the
 * results.
 */
import type { ExecutionProvider } from '../../engine/engine.ts';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { loadConfigWithFlags } from './flag-config.ts';
import { resolveModel } from '../models/resolve-model.ts';
import { modelProgressBars } from './model-progress-bars.ts';

export interface CliModelFlags {
  model?: string;
  dataDir?: string;
  provider?: ExecutionProvider;
  threads?: number;
  maxPixels?: number;
}

export interface CliEngineSettings {
  /** The bundle folder the engine opens. */
  model: string;
  provider: ExecutionProvider;
  threads?: number;
  maxPixels: number;
}

export async function resolveCliModel(flags: CliModelFlags): Promise<CliEngineSettings> {
  const config = loadConfigWithFlags([
    ['--model', 'GLANCE_MODEL', flags.model],
    ['--data-dir', 'GLANCE_DATA_DIR', flags.dataDir],
  ]);
  if (config.model === undefined) {
    throw new GlanceError(ErrorCode.ModelUnavailable, 'No model given: pass --model with a bundle folder written by `glance convert`, a Hugging Face BLIP-2 checkpoint folder, or a Hub id such as Salesforce/blip2-opt-2.7b (or set GLANCE_MODEL).');
  }
  const bars = modelProgressBars();
  try {
    const { bundleDir } = await resolveModel(config.model, { dataDir: config.dataDir, onProgress: bars.report, hubUrl: config.hub.url, accessToken: config.hub.accessToken });
    const threads = flags.threads ?? config.threads;
    return { model: bundleDir, provider: flags.provider ?? config.provider, ...(threads === undefined ? {} : { threads }), maxPixels: flags.maxPixels ?? config.limits.maxPixels };
  } finally {
    bars.stop();
  }
}
