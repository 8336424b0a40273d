/**
 * Runs generation requests on the engine in dynamic batches: requests waiting at the same moment with equal
 * generation options (their `batchKey`: the service keys on the resolved options, generation-batch-key.ts) run as one
 * left-padded engine.generate call (up to `maxBatch` rows), picked round-robin over channels; a job marked `alone`
 * (seeded sampling) runs in a batch of its own. One batch runs at a time (the engine's worker is one thread); the rest wait in the fair queue.
 *
 * Cancellation: a waiting request that is cancelled leaves the queue; a running row fails at once with its own error
 * while the batch goes on for the others, and the engine call itself is cancelled (between decode steps) when every
 * row of the batch has been cancelled.
 */
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import type { GenerateCallOptions, GenerationItem, GenerationOutput } from '../../engine/engine.ts';
import { FairQueue } from './fair-queue.ts';

export interface GenerationJob {
  channelId: string;
  item: GenerationItem;
  generation: Record<string, unknown>;
  /** Jobs with equal keys may share a batch (default: optionsKey of `generation`, the options as given). */
  batchKey?: string;
  /** Runs in a batch of its own (seeded sampling: the engine keeps one random generator per batch). */
  alone?: boolean;
  /** Ends the job: cancellation or deadline. */
  signal: AbortSignal;
  /** The coded error for the job once `signal` fired. */
  abortError: () => GlanceError;
  onToken?: (textSoFar: string) => void;
  /** Told when a batch with this job starts on the engine (prefill, then tokens). */
  onStart?: () => void;
}

export interface BatchInfo {
  /** Rows in the engine call this job ran in. */
  batchSize: number;
  /** performance.now() when the batch started on the engine. */
  startedAt: number;
}

export type GenerateFn = (items: readonly GenerationItem[], generation: unknown, options: GenerateCallOptions) => Promise<GenerationOutput[]>;

interface Entry {
  job: GenerationJob;
  key: string;
  resolve: (value: { output: GenerationOutput; batch: BatchInfo }) => void;
  reject: (error: unknown) => void;
  settled: boolean;
  detach: () => void;
}

export class GenerationScheduler {
  readonly #generate: GenerateFn;
  readonly #maxBatch: number;
  readonly #onBatch: ((size: number) => void) | undefined;
  readonly #queue = new FairQueue<Entry>();
  #running = 0;
  #scheduled = false;
  #busy = false;

  constructor(options: { generate: GenerateFn; maxBatch: number; onBatch?: (size: number) => void }) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new GlanceError(ErrorCode.InvalidInput, `maxBatch must be a positive integer (got ${options.maxBatch})`);
    }
    this.#generate = options.generate;
    this.#maxBatch = options.maxBatch;
    this.#onBatch = options.onBatch;
  }

  /** Requests waiting for a batch. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Rows of the batch now on the engine. */
  get running(): number {
    return this.#running;
  }

  submit(job: GenerationJob): Promise<{ output: GenerationOutput; batch: BatchInfo }> {
    if (job.signal.aborted) return Promise.reject(job.abortError());
    return new Promise((resolve, reject) => {
      const entry: Entry = { job, key: job.batchKey ?? optionsKey(job.generation), resolve, reject, settled: false, detach: () => {} };
      const onAbort = () => {
        this.#queue.remove(job.channelId, entry);
        settle(entry, () => reject(job.abortError()));
      };
      job.signal.addEventListener('abort', onAbort, { once: true });
      entry.detach = () => job.signal.removeEventListener('abort', onAbort);
      this.#queue.push(job.channelId, entry);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#busy || this.#queue.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#runNext();
    });
  }

  async #runNext(): Promise<void> {
    if (this.#busy) return;
    const batch = this.#queue.takeBatch(this.#maxBatch, (a, b) => a === b || (!a.job.alone && !b.job.alone && a.key === b.key));
    if (batch.length === 0) return;
    this.#busy = true;
    try {
      await this.#runBatch(batch);
    } finally {
      this.#busy = false;
      this.#schedule();
    }
  }

  async #runBatch(batch: Entry[]): Promise<void> {
    this.#running = batch.length;
    this.#onBatch?.(batch.length);
    const info: BatchInfo = { batchSize: batch.length, startedAt: performance.now() };
    const allCancelled = new AbortController();
    const live = () => batch.filter((entry) => !entry.settled);
    const onRowAbort = () => {
      if (live().length === 0) allCancelled.abort();
    };
    for (const entry of batch) entry.job.signal.addEventListener('abort', onRowAbort, { once: true });
    onRowAbort();
    for (const entry of live()) entry.job.onStart?.();
    const streaming = batch.some((entry) => entry.job.onToken);
    try {
      const outputs = await this.#generate(
        batch.map((entry) => entry.job.item),
        batch[0].job.generation,
        {
          signal: allCancelled.signal,
          onToken: streaming
            ? (row, _token, text) => {
                const entry = batch[row];
                if (!entry.settled) entry.job.onToken?.(text);
              }
            : undefined,
        },
      );
      batch.forEach((entry, i) => settle(entry, () => entry.resolve({ output: outputs[i], batch: info })));
    } catch (error) {
      const isolatable = batch.length > 1 && error instanceof GlanceError && !NOT_ROW_ERRORS.has(error.code);
      if (isolatable) {
        // One row's input can fail a whole batch (e.g. a prompt too long): run the rows alone so only it fails.
        for (const entry of live()) await this.#runBatch([entry]);
      } else {
        for (const entry of batch) settle(entry, () => entry.reject(error));
      }
    } finally {
      for (const entry of batch) entry.job.signal.removeEventListener('abort', onRowAbort);
      this.#running = 0;
    }
  }
}

/** Errors of the batch as a whole (the engine, cancellation, options shared by every row), not of one row's input. */
const NOT_ROW_ERRORS = new Set<string>([
  ErrorCode.EngineCrashed,
  ErrorCode.Aborted,
  ErrorCode.DeadlineExceeded,
  ErrorCode.RuntimeFailure,
  ErrorCode.GenerationInvalidOption,
  ErrorCode.GenerationUnsupportedOption,
]);

function settle(entry: Entry, action: () => void): void {
  if (entry.settled) return;
  entry.settled = true;
  entry.detach();
  action();
}

/** Generation options compare equal when their JSON with sorted keys is equal. */
export function optionsKey(generation: Record<string, unknown>): string {
  const sorted = Object.keys(generation)
    .filter((key) => generation[key] !== undefined)
    .sort()
    .map((key) => [key, generation[key]]);
  return JSON.stringify(sorted);
}
