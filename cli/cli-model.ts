/**
 * The model and engine settings of `glance caption` / `ask` / `match` / `embed`, from their flags or else the same
 * validated configuration `glance start` reads (environment, `.env`): `--model` or GLANCE_MODEL — a converted bundle,
 * a Hugging Face checkpoint folder or a Hub id, made ready as `glance start` does (downloaded and converted once into
 * `--data-dir` / GLANCE_DATA_DIR; HF_ENDPOINT and HF_TOKEN for the Hub) — or `--demo`, the tiny demo model glance
 * makes itself (the caption demo for caption/ask, the retrieval demo for match/embed; as a flag it wins over
 * GLANCE_MODEL, and says so on stderr), and `--provider` / GLANCE_PROVIDER, `--threads` / GLANCE_THREADS,
 * `--max-pixels` / GLANCE_MAX_PIXELS. Progress goes to stderr, so stdout holds only the results.
 */
import type { ExecutionProvider } from '../engine/engine.ts';
import { ErrorCode, GlanceError } from '../engine/errors.ts';
import { loadConfigWithFlags } from './flag-config.ts';
import { demoModel, type DemoKind } from '../src/models/demo-model.ts';
import { resolveModel } from '../src/models/resolve-model.ts';
import { modelProgressBars } from './model-progress-bars.ts';

export interface CliModelFlags {
  model?: string;
  demo?: boolean;
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

/** --demo and --model name two models: refused before anything else is checked or made. */
export function checkModelFlags(flags: CliModelFlags): void {
  if (flags.demo && flags.model !== undefined) {
    throw new GlanceError(ErrorCode.ConfigInvalid, `--demo runs the tiny demo model, but --model ${flags.model} was given too; use one of them.`);
  }
}

/**
 * The engine settings, with the model made ready as a bundle folder: `demo` says which demo --demo runs. The caller
 * has run checkModelFlags first (before its own input checks).
 */
export async function resolveCliModel(flags: CliModelFlags, demo: DemoKind): Promise<CliEngineSettings> {
  const config = loadConfigWithFlags([
    ['--model', 'GLANCE_MODEL', flags.model],
    ['--data-dir', 'GLANCE_DATA_DIR', flags.dataDir],
  ]);
  if (!flags.demo && config.model === undefined) {
    throw new GlanceError(ErrorCode.ModelUnavailable, 'No model given: pass --model with a bundle folder written by `glance convert`, a Hugging Face BLIP-2 checkpoint folder, or a Hub id such as Salesforce/blip2-opt-2.7b (or set GLANCE_MODEL); or --demo for the tiny demo model (random weights: exact but meaningless output).');
  }
  if (flags.demo && config.model !== undefined) {
    process.stderr.write(`glance: --demo runs the tiny demo model; GLANCE_MODEL (${config.model}) is not used this time.\n`);
  }
  const bars = modelProgressBars();
  try {
    const { bundleDir } = flags.demo
      ? await demoModel(config.dataDir, { kind: demo, onProgress: bars.report })
      : await resolveModel(config.model!, { dataDir: config.dataDir, onProgress: bars.report, hubUrl: config.hub.url, accessToken: config.hub.accessToken });
    const threads = flags.threads ?? config.threads;
    return { model: bundleDir, provider: flags.provider ?? config.provider, ...(threads === undefined ? {} : { threads }), maxPixels: flags.maxPixels ?? config.limits.maxPixels };
  } finally {
    bars.stop();
  }
}
