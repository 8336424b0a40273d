/**
 * The main thread's end of the engine worker: numbered requests, their replies and streamed tokens, cancellation
 * through AbortSignals, and a clear error for every outstanding and later request if the worker dies.
 */
import { Worker } from 'node:worker_threads';
import { GlanceError, ErrorCode, glanceErrorFromJSON } from '../errors.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

/** A request without its id (the channel numbers requests). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;
export type OutgoingRequest = Unnumbered<Exclude<WorkerRequest, { kind: 'cancel' | 'exitForTest' }>>;

export type TokenListener = (row: number, token: number, text: string) => void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onToken?: TokenListener;
}

export class WorkerChannel {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: GlanceError | undefined;
  readonly #onCrash: ((error: GlanceError) => void) | undefined;

  /** `onCrash` is told once when the worker dies on its own (not after `terminate()`). */
  constructor(entry: URL, log?: (message: string) => void, onCrash?: (error: GlanceError) => void) {
    this.#onCrash = onCrash;
    this.#worker = new Worker(entry);
    this.#worker.on('message', (message: WorkerResponse) => {
      if (message.kind === 'log') return log?.(message.message);
      const entry = this.#pending.get(message.id);
      if (!entry) return;
      if (message.kind === 'token') return entry.onToken?.(message.row, message.token, message.text);
      this.#pending.delete(message.id);
      if (message.kind === 'result') entry.resolve(message.value);
      else entry.reject(glanceErrorFromJSON(message.error));
    });
    this.#worker.on('error', (error) => this.#fail(`the engine worker crashed: ${error.message}`));
    this.#worker.on('exit', (code) => this.#fail(`the engine worker exited (code ${code})`));
  }

  /** The worker died: every outstanding and later request fails with ENGINE_CRASHED (RUNTIME_FAILURE once closed). */
  #fail(message: string): void {
    const crashed = this.#failure === undefined;
    this.#failure ??= new GlanceError(ErrorCode.EngineCrashed, message);
    for (const entry of this.#pending.values()) entry.reject(this.#failure);
    this.#pending.clear();
    if (crashed) this.#onCrash?.(this.#failure);
  }

  /** Sends a request; `timeoutMs` is a deadline: past it the request is cancelled and fails with DEADLINE_EXCEEDED. */
  request<T>(message: OutgoingRequest, options: { signal?: AbortSignal; timeoutMs?: number; onToken?: TokenListener } = {}): Promise<T> {
    if (options.timeoutMs === undefined) return this.#send<T>(message, options.signal, options.onToken);
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    return this.#send<T>(message, signal, options.onToken).catch((error: unknown) => {
      if (deadline.aborted && error instanceof GlanceError && error.code === ErrorCode.Aborted) {
        throw new GlanceError(ErrorCode.DeadlineExceeded, `the request did not finish within ${options.timeoutMs} ms`);
      }
      throw error;
    });
  }

  #send<T>(message: OutgoingRequest, signal: AbortSignal | undefined, onToken: TokenListener | undefined): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (signal?.aborted) return Promise.reject(new GlanceError(ErrorCode.Aborted, 'the request was cancelled'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.#worker.postMessage({ id: this.#nextId++, kind: 'cancel', target: id } satisfies WorkerRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        resolve: (value) => {
          settle();
          resolve(value as T);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        onToken,
      });
      this.#worker.postMessage({ ...message, id } as WorkerRequest);
    });
  }

  /**
   * For tests of crash handling only: makes the worker thread exit with a non-zero code, as a crash would
   * (outstanding requests fail with ENGINE_CRASHED and `onCrash` is told); resolves once it has exited. The worker
   * exits between onnxruntime runs: terminating it from outside during a run aborts the whole process.
   */
  killWorkerForTest(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage({ id: this.#nextId++, kind: 'exitForTest' } satisfies WorkerRequest);
    return exited;
  }

  async terminate(): Promise<void> {
    this.#failure ??= new GlanceError(ErrorCode.RuntimeFailure, 'the engine is closed');
    await this.#worker.terminate();
  }
}
