/** How model resolution reports progress (the start command draws it with cli/progress-bar.ts). */

/**
 * Progress of a model being made ready. `download`: one Hub file, `done` of its `total` bytes (a resumed file starts
 * at the bytes kept); files come one after the other. `convert`: the whole conversion, `done` of `total` checkpoint
 * tensor bytes (float32), no `file`.
 */
export interface ModelProgress {
  phase: 'download' | 'convert';
  file?: string;
  done: number;
  total: number;
}

export type ModelProgressReport = (progress: ModelProgress) => void;
