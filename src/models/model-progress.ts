/** How model resolution reports progress (the start command draws it with src/cli/progress-bar.ts). */

/** Progress of a model being made ready: downloading Hub files (bytes) or converting a checkpoint (tensor bytes). */
export interface ModelProgress {
  phase: 'download' | 'convert';
  file?: string;
  done: number;
  total: number;
}

export type ModelProgressReport = (progress: ModelProgress) => void;
