/**
 * Turns a `--model` / GLANCE_MODEL value into a bundle folder the engine opens: a bundle is used as it is, a local
 * checkpoint folder is converted once under the data directory, a Hub id is downloaded and then converted. The demo
 * model is the tiny BLIP-2 OPT fixture (../shared/fixtures beside the repository), converted once the same way.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import { convertCheckpointOnce } from './converted-checkpoint.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelProgressReport } from './model-progress.ts';
import { parseModelSpec } from './model-spec.ts';

export interface ResolveModelOptions {
  dataDir: string;
  onProgress?: ModelProgressReport;
  log?: Logger;
  /** Default: HF_ENDPOINT, else https://huggingface.co */
  hubUrl?: string;
  /** Default: HF_TOKEN */
  accessToken?: string;
  /** A Hub request with no data for this long is aborted (default 60 s); the next run resumes. */
  stallTimeoutMs?: number;
  /**
   * Stops the download, the conversion or the wait for another process's (Ctrl-C during start-up): the call rejects
   * with the signal's reason. Finished and partial downloads are kept; a stopped conversion leaves nothing.
   */
  signal?: AbortSignal;
}

export interface ResolvedModel {
  bundleDir: string;
  modelId: string;
  source: 'bundle' | 'checkpoint' | 'hub';
}

/** The tiny BLIP-2 OPT fixture the demo runs (random weights: its captions are not meaningful, only exact). */
export const DEMO_CHECKPOINT = fileURLToPath(new URL('../../../shared/fixtures/tiny-blip2-opt/', import.meta.url));
export const DEMO_MODEL_ID = 'demo/tiny-blip2-opt';

/** File-system errors that mean the data directory cannot hold the model. */
const DATA_DIR_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'is not writable',
  EPERM: 'is not writable',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'is out of disk space',
  ENOTDIR: 'is not a folder (a file is in the way)',
};

/** Runs `work`, turning the data directory's file-system failures into MODEL_UNAVAILABLE errors that say what to do. */
async function inDataDir<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    const problem = code ? DATA_DIR_ERRORS[code] : undefined;
    // Only failures inside the data directory are its problem (an unreadable checkpoint folder is not).
    const inside = path === undefined || resolve(path).startsWith(resolve(dataDir));
    if (!problem || !inside || error instanceof GlanceError) throw error;
    throw new GlanceError(ErrorCode.ModelUnavailable, `The data directory ${resolve(dataDir)} ${problem} (${(error as Error).message}). Point GLANCE_DATA_DIR or --data-dir at a writable folder with room for the model; finished downloads are kept.`, { dataDir, errno: code }, { cause: error });
  }
}

export function resolveModel(spec: string, options: ResolveModelOptions): Promise<ResolvedModel> {
  return stoppable(options.signal, () => inDataDir(options.dataDir, () => resolveSpec(spec, options)));
}

/** Runs `work`; once `signal` has fired, whatever it fails with (an aborted fetch, a stopped conversion) is the signal's reason. */
async function stoppable<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  try {
    signal?.throwIfAborted();
    return await work();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

async function resolveSpec(spec: string, options: ResolveModelOptions): Promise<ResolvedModel> {
  const parsed = await parseModelSpec(spec);
  switch (parsed.kind) {
    case 'bundle':
      return { bundleDir: parsed.dir, modelId: basename(parsed.dir), source: 'bundle' };
    case 'checkpoint': {
      const { bundleDir } = await convertCheckpointOnce({ checkpointDir: parsed.dir, dataDir: options.dataDir, onProgress: options.onProgress, log: options.log, signal: options.signal });
      return { bundleDir, modelId: basename(bundleDir), source: 'checkpoint' };
    }
    case 'hub': {
      // Imported here: a bundle or checkpoint folder never loads the Hub client.
      const { downloadHubSnapshot } = await import('./hub-snapshot.ts');
      const snapshot = await downloadHubSnapshot({
        repo: parsed.repo,
        revision: parsed.revision,
        dataDir: options.dataDir,
        hubUrl: (options.hubUrl ?? (process.env.HF_ENDPOINT || 'https://huggingface.co')).replace(/\/+$/, ''),
        accessToken: options.accessToken ?? process.env.HF_TOKEN,
        stallTimeoutMs: options.stallTimeoutMs,
        onProgress: options.onProgress,
        log: options.log,
        signal: options.signal,
      });
      const { bundleDir } = await convertCheckpointOnce({ checkpointDir: snapshot.dir, dataDir: options.dataDir, name: `${parsed.repo.replace('/', '--')}-${snapshot.commit.slice(0, 12)}`, onProgress: options.onProgress, log: options.log, signal: options.signal });
      return { bundleDir, modelId: parsed.revisionGiven ? `${parsed.repo}@${parsed.revision}` : parsed.repo, source: 'hub' };
    }
  }
}

export function demoModel(dataDir: string, options: { onProgress?: ModelProgressReport; log?: Logger; signal?: AbortSignal } = {}): Promise<{ bundleDir: string; modelId: string; source: 'demo' }> {
  return stoppable(options.signal, () => readyDemo(dataDir, options));
}

async function readyDemo(dataDir: string, options: { onProgress?: ModelProgressReport; log?: Logger; signal?: AbortSignal }): Promise<{ bundleDir: string; modelId: string; source: 'demo' }> {
  const present = await stat(DEMO_CHECKPOINT).then((info) => info.isDirectory(), () => false);
  if (!present) {
    throw new GlanceError(ErrorCode.ModelUnavailable, `The demo model needs the tiny BLIP-2 fixture at ${DEMO_CHECKPOINT} (the shared fixtures beside the repository), which is not there. Use a real model instead: --model or GLANCE_MODEL with a Hub id such as Salesforce/blip2-opt-2.7b, a checkpoint folder or a converted bundle.`, { dir: DEMO_CHECKPOINT });
  }
  const { bundleDir } = await inDataDir(dataDir, () => convertCheckpointOnce({ checkpointDir: DEMO_CHECKPOINT, dataDir, name: 'demo-tiny-blip2-opt', onProgress: options.onProgress, log: options.log, signal: options.signal }));
  return { bundleDir, modelId: DEMO_MODEL_ID, source: 'demo' };
}
