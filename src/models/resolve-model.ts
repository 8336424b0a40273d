/**
 * Turns a `--model` / GLANCE_MODEL value into a bundle folder the engine opens: a bundle is used as it is, a local
 * checkpoint folder is converted once under the data directory, a Hub id is downloaded and then converted. The demo
 * models (made by glance itself) are in demo-model.ts.
 */
import { basename } from 'node:path';
import { convertCheckpointOnce } from './converted-checkpoint.ts';
import { inDataDir } from './data-dir-errors.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelProgressReport } from './model-progress.ts';
import { parseModelSpec } from './model-spec.ts';
import { stoppable } from './stoppable.ts';

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

export function resolveModel(spec: string, options: ResolveModelOptions): Promise<ResolvedModel> {
  return stoppable(options.signal, () => inDataDir(options.dataDir, () => resolveSpec(spec, options)));
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
