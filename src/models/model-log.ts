/**
 * The slice of the service's logger (a pino Logger, src/log/logger.ts) that model resolution writes to: structured
 * info lines for each download and conversion. Any pino Logger satisfies it.
 */
export interface ModelLog {
  info(fields: object, message?: string): void;
}

/** Progress of a model being made ready: downloading Hub files (bytes) or converting a checkpoint (tensor bytes). */
export interface ModelProgress {
  phase: 'download' | 'convert';
  file?: string;
  done: number;
  total: number;
}

export type ModelProgressReport = (progress: ModelProgress) => void;
