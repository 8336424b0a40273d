/**
 * The engine's public face on the main thread. Inference runs in a worker thread (onnxruntime-node's run() blocks
 * its thread), so the caller's event loop stays free for heartbeats and acks. Every call takes an AbortSignal;
 * cancelling stops a generation between decode steps.
 */
import { Worker } from 'node:worker_threads';
import { GlanceError, ErrorCode, glanceErrorFromJSON } from './errors.ts';
import type { BundleManifest } from './bundle/manifest.ts';
import type { ExecutionProvider } from './runtime/onnx-runtime.ts';
import type { GenerationItem, GenerationOutput, ImageEmbedding } from './runtime/blip2-runtime.ts';
import type { OpenResult, WorkerRequest, WorkerResponse } from './worker/protocol.ts';

export type { GenerationItem, GenerationOutput, ImageEmbedding } from './runtime/blip2-runtime.ts';
export type { ExecutionProvider } from './runtime/onnx-runtime.ts';

export interface EngineOptions {
  bundleDir: string;
  provider?: ExecutionProvider;
  /** onnxruntime intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number;
  /** Images above this many pixels are refused before decoding (default 40 MP). */
  maxPixels?: number;
  log?: (message: string) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface GenerateCallOptions extends CallOptions {
  /** Called for each new token of each row with the row's decoded text so far (greedy and sampling). */
  onToken?: (row: number, token: number, text: string) => void;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; onToken?: GenerateCallOptions['onToken'] };

export class Engine {
  readonly manifest: BundleManifest;
  readonly provider: 'cpu' | 'cuda';
  readonly #worker: Worker;
  readonly #pending: Map<number, Pending>;
  #nextId: { value: number };
  #closed = false;

  private constructor(worker: Worker, pending: Map<number, Pending>, nextId: { value: number }, opened: OpenResult) {
    this.#worker = worker;
    this.#pending = pending;
    this.#nextId = nextId;
    this.manifest = opened.manifest;
    this.provider = opened.provider;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const worker = new Worker(new URL('./worker/engine-worker-bootstrap.js', import.meta.url));
    const pending = new Map<number, Pending>();
    const nextId = { value: 1 };
    worker.on('message', (message: WorkerResponse) => {
      if (message.kind === 'log') return options.log?.(message.message);
      const entry = pending.get(message.id);
      if (!entry) return;
      if (message.kind === 'token') return entry.onToken?.(message.row, message.token, message.text);
      pending.delete(message.id);
      if (message.kind === 'result') entry.resolve(message.value);
      else entry.reject(glanceErrorFromJSON(message.error));
    });
    worker.on('error', (error) => {
      for (const entry of pending.values()) entry.reject(new GlanceError(ErrorCode.RuntimeFailure, `engine worker crashed: ${error.message}`));
      pending.clear();
    });
    const request = (message: WorkerRequest) =>
      new Promise<unknown>((resolve, reject) => {
        pending.set(message.id, { resolve, reject });
        worker.postMessage(message);
      });
    try {
      const runtimeOptions = { provider: options.provider ?? 'cpu', threads: options.threads, maxPixels: options.maxPixels };
      const opened = (await request({ id: nextId.value++, kind: 'open', bundleDir: options.bundleDir, options: runtimeOptions })) as OpenResult;
      return new Engine(worker, pending, nextId, opened);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
  }

  #call<T>(build: (id: number) => WorkerRequest, signal: AbortSignal | undefined, onToken?: GenerateCallOptions['onToken']): Promise<T> {
    if (this.#closed) return Promise.reject(new GlanceError(ErrorCode.RuntimeFailure, 'the engine is closed'));
    if (signal?.aborted) return Promise.reject(new GlanceError(ErrorCode.Aborted, 'the request was cancelled'));
    const id = this.#nextId.value++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.#worker.postMessage({ id: this.#nextId.value++, kind: 'cancel', target: id } satisfies WorkerRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as T);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
        onToken,
      });
      this.#worker.postMessage(build(id));
    });
  }

  /** Preprocesses and encodes images in one vision batch; returns each image's projected query embeddings. */
  encodeImages(images: readonly Uint8Array[], options: CallOptions = {}): Promise<ImageEmbedding[]> {
    return this.#call((id) => ({ id, kind: 'encodeImages', images: images.map((bytes) => new Uint8Array(bytes)) }), options.signal);
  }

  /** Generates for (embedding, prompt) rows as one left-padded batch. `generation` uses camelCase HF option names. */
  generate(items: readonly GenerationItem[], generation: unknown = {}, options: GenerateCallOptions = {}): Promise<GenerationOutput[]> {
    return this.#call((id) => ({ id, kind: 'generate', items: [...items], options: generation, stream: options.onToken !== undefined }), options.signal, options.onToken);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#call((id) => ({ id, kind: 'close' }), undefined);
    } finally {
      this.#closed = true;
      await this.#worker.terminate();
    }
  }
}
