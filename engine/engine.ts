/**
 * The engine's public face on the main thread. Inference runs in a worker thread (onnxruntime-node's run() blocks
 * its thread), so the caller's event loop stays free for heartbeats and acks. Every call takes an AbortSignal and a
 * deadline; cancelling stops a generation between decode steps.
 */
import type { BundleManifest } from './bundle/manifest.ts';
import type { ExecutionProvider } from './runtime/onnx-runtime.ts';
import type { GenerationItem, GenerationOutput, ImageEmbedding } from './runtime/blip2-runtime.ts';
import type { MatchResult, TextEmbedding } from './runtime/retrieval-runtime.ts';
import type { GlanceError } from './errors.ts';
import type { OpenResult } from './worker/protocol.ts';
import { WorkerChannel } from './worker/worker-channel.ts';

export type { GenerationItem, GenerationOutput, ImageEmbedding } from './runtime/blip2-runtime.ts';
export type { LanguagePrefix } from './runtime/language-prefix.ts';
export { languagePrefixBytes } from './runtime/language-prefix.ts';
export type { ExecutionProvider } from './runtime/onnx-runtime.ts';
export type { MatchResult, TextEmbedding } from './runtime/retrieval-runtime.ts';

/** An image's ITC embeddings from a retrieval bundle. */
export interface ImageQueryEmbeddings {
  /** [numQueryTokens, embedDim] row-major; every query row is L2-normalised. */
  imageEmbeds: Float32Array;
  timingsMs: { preprocess: number; vision: number };
}

export interface EngineOptions {
  bundleDir: string;
  provider?: ExecutionProvider;
  /** onnxruntime intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number;
  /** Images above this many pixels are refused before decoding (default 40 MP). */
  maxPixels?: number;
  log?: (message: string) => void;
  /** Told once if the worker thread dies on its own; its outstanding and later calls fail with ENGINE_CRASHED. */
  onCrash?: (error: GlanceError) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Deadline: past it the call is cancelled and fails with DEADLINE_EXCEEDED. */
  timeoutMs?: number;
}

export interface GenerateCallOptions extends CallOptions {
  /** Called for each new token of each row with the row's decoded text so far (greedy and sampling). */
  onToken?: (row: number, token: number, text: string) => void;
  /** OPT: return each row's image prefix (GenerationOutput.prefix) to pass back with later prompts (GenerationItem.prefix). */
  keepPrefix?: boolean;
}

export class Engine {
  readonly manifest: BundleManifest;
  readonly provider: 'cpu' | 'cuda';
  readonly #channel: WorkerChannel;
  #closed = false;

  private constructor(channel: WorkerChannel, opened: OpenResult) {
    this.#channel = channel;
    this.manifest = opened.manifest;
    this.provider = opened.provider;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const channel = new WorkerChannel(new URL('./worker/engine-worker-bootstrap.js', import.meta.url), options.log, options.onCrash);
    try {
      const runtimeOptions = { provider: options.provider ?? 'cpu', threads: options.threads, maxPixels: options.maxPixels };
      const opened = await channel.request<OpenResult>({ kind: 'open', bundleDir: options.bundleDir, options: runtimeOptions });
      return new Engine(channel, opened);
    } catch (error) {
      await channel.terminate();
      throw error;
    }
  }

  /** Whether the bundle generates text (caption/ask) or matches and embeds (retrieval, Blip2ForImageTextRetrieval). */
  get kind(): 'generative' | 'retrieval' {
    return this.manifest.model.architecture === 'blip2-itm' ? 'retrieval' : 'generative';
  }

  /** Preprocesses and encodes images in one vision batch; returns each image's projected query embeddings. */
  encodeImages(images: readonly Uint8Array[], options: CallOptions = {}): Promise<ImageEmbedding[]> {
    return this.#channel.request({ kind: 'encodeImages', images: images.map((bytes) => new Uint8Array(bytes)) }, options);
  }

  /** Generates for (embedding, prompt) rows as one left-padded batch. `generation` uses camelCase HF option names. */
  generate(items: readonly GenerationItem[], generation: unknown = {}, options: GenerateCallOptions = {}): Promise<GenerationOutput[]> {
    return this.#channel.request({ kind: 'generate', items: [...items], options: generation, stream: options.onToken !== undefined, keepPrefix: options.keepPrefix === true }, options);
  }

  /**
   * Retrieval bundles: one image against several texts. Per text, in order: the ITM match probability and the ITC
   * similarity (max over the queries of the cosine). An empty list or a text longer than the model reads is
   * INVALID_INPUT; a generative bundle answers MODEL_KIND_MISMATCH.
   */
  match(image: Uint8Array, texts: readonly string[], options: CallOptions = {}): Promise<MatchResult[]> {
    return this.#channel.request({ kind: 'match', image: new Uint8Array(image), texts: [...texts] }, options);
  }

  /** Retrieval bundles: each image's ITC embeddings ([queries, embedDim], normalised), one vision batch. */
  embedImages(images: readonly Uint8Array[], options: CallOptions = {}): Promise<ImageQueryEmbeddings[]> {
    return this.#channel.request({ kind: 'embedImages', images: images.map((bytes) => new Uint8Array(bytes)) }, options);
  }

  /** Retrieval bundles: each text's ITC embedding ([embedDim], normalised). */
  embedTexts(texts: readonly string[], options: CallOptions = {}): Promise<TextEmbedding[]> {
    return this.#channel.request({ kind: 'embedTexts', texts: [...texts] }, options);
  }

  /**
   * For tests of crash handling only (the service's supervisor tests): makes the worker thread exit with a non-zero
   * code between onnxruntime runs, as a crash would. Outstanding and later calls fail with ENGINE_CRASHED and
   * `onCrash` is told.
   */
  terminateWorkerForTest(): Promise<void> {
    return this.#channel.killWorkerForTest();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#channel.request({ kind: 'close' });
    } finally {
      await this.#channel.terminate();
    }
  }
}
