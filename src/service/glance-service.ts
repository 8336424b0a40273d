/**
 * The platform-free core the adapters call: one request = an image and an optional question → text. It admits the
 * request (queue bound → BUSY, per-user limits → RATE_LIMITED, generation options over the server's caps →
 * GENERATION_INVALID_OPTION), gives it a deadline and the asker's cancellation, gets the image's query embeddings from
 * the embedding cache (misses are encoded together in one vision batch, under the batch's longest deadline), and
 * generates in a dynamic batch with the other requests waiting at the same moment whose options are equal once
 * resolved (seeded sampling runs in a batch of its own, so the same seed gives the same tokens; OPT: with the image's kept
 * language-model prefix when there is one, so only the prompt is prefilled; src/cache/prefix-cache.ts). The engine
 * runs in a worker thread under a supervisor that restarts it if it dies.
 */
import { createHash } from 'node:crypto';
import type { BundleManifest } from '../../engine/bundle/manifest.ts';
import type { Engine, EngineOptions, ExecutionProvider, ImageEmbedding } from '../../engine/engine.ts';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import { EmbeddingCache } from '../cache/embedding-cache.ts';
import { PrefixCache } from '../cache/prefix-cache.ts';
import type { Logger } from '../log/logger.ts';
import type { ServiceMetrics } from '../metrics/service-metrics.ts';
import { GenerationScheduler } from '../scheduler/generation-scheduler.ts';
import { generationBatchKey, type GenerationBatchKey } from '../scheduler/generation-batch-key.ts';
import { MicroBatcher } from '../scheduler/micro-batcher.ts';
import { RequestDeadline } from '../scheduler/request-deadline.ts';
import { UserRateLimiter } from '../scheduler/user-rate-limiter.ts';
import { EngineSupervisor } from './engine-supervisor.ts';
import { buildPrompt, promptHead } from './prompt.ts';
import { encodeVisionJobs, type VisionJob, type VisionOutcome } from './vision-batch.ts';
import { checkGenerationLimits, limitGeneration, type GenerationLimits } from './generation-limits.ts';

/**
 * The version of the image preprocessing the cached embeddings were made with (with the bundle's preprocessor
 * settings): bump it when engine/preprocess changes its output, so old embeddings are never reused.
 */
export const PREPROCESS_VERSION = 'pillow-resample-v1';

export interface ServiceRequest {
  image: Uint8Array;
  /** undefined or '' = caption. */
  question?: string;
  /** The question is the exact prompt (no `Question: … Answer:` around it). */
  rawPrompt?: boolean;
  /** Engine generation options, camelCase (as the CLI's flags map to them). */
  generation?: Record<string, unknown>;
  userId: string;
  /** Fairness key: batches are picked round-robin over channels. */
  channelId: string;
  signal?: AbortSignal;
  /** Deadline of this request (default: the service's queue.deadlineMs). */
  timeoutMs?: number;
  /** Called with the answer's text so far after each new token. */
  onToken?: (textSoFar: string) => void;
  /** Told each time the request enters another stage (never the same stage twice in a row); see ServiceStage. */
  onStage?: (stage: ServiceStage) => void;
}

/**
 * Where an admitted request is: `queued` (waiting for the vision encoder or for a generation batch: told at admission,
 * and again after the image was read while the request waits for a batch), `reading-image` (its image is being
 * preprocessed and encoded; skipped on an embedding-cache hit, and by a request that waits on another request's
 * encoding of the same image), `writing` (its generation batch is on the engine: prefill, then the tokens).
 */
export type ServiceStage = 'queued' | 'reading-image' | 'writing';

export interface ServiceResult {
  text: string;
  sequence: number[];
  finishReason: 'eos' | 'length';
  /** Positions the language model read before generating: the image's query tokens plus the prompt's tokens. */
  promptTokens: number;
  imageHash: string;
  cacheHit: boolean;
  /** The language model's image prefix was kept from an earlier request (OPT), so only the prompt was prefilled. */
  prefixCacheHit: boolean;
  /** Rows in the generation batch this request ran in. */
  batchSize: number;
  timingsMs: { queue: number; preprocess: number; vision: number; prefill: number; decode: number; total: number };
}

export interface GlanceServiceOptions {
  bundleDir: string;
  modelId: string;
  provider?: ExecutionProvider;
  threads?: number;
  maxPixels?: number;
  /**
   * maxBytes: embeddings; prefixMaxBytes: OPT image prefixes (default 256 MiB; 0 = not kept: every prompt prefills
   * the image queries again). Both expire after ttlMs.
   */
  cache: { maxBytes: number; ttlMs: number; prefixMaxBytes?: number };
  /** maxRunningPerUser: requests one user may have waiting or running at once (default 1). */
  queue: { maxQueued: number; maxBatch: number; perUserPerMinute: number; maxRunningPerUser?: number; deadlineMs: number };
  /**
   * The most one request's generation options may ask for (GLANCE_MAX_BEAMS, GLANCE_MAX_NEW_TOKENS; `glance start`
   * passes them); more is refused with GENERATION_INVALID_OPTION. Unset: only the engine's own bounds apply.
   */
  generationLimits?: GenerationLimits;
  metrics?: ServiceMetrics;
  log?: Logger;
  /**
   * Told once when the engine crashed and could not be re-opened after every retry (ENGINE_CRASHED): the service
   * answers nothing from then on, so `glance start` exits non-zero and a restart policy takes over.
   */
  onEngineFatal?: (error: GlanceError) => void;
  /** Pauses between tries to re-open a crashed engine (default 1, 2, 4, 8, 16 s; engine-supervisor.ts). */
  restartDelaysMs?: readonly number[];
  /** Opens the engine (default Engine.open); tests inject failing re-opens through it. */
  openEngine?: (options: EngineOptions) => Promise<Engine>;
}

/** Engine calls made so far (how well requests were batched). */
export interface EngineCallCounts {
  visionBatches: number;
  visionImages: number;
  generationBatches: number;
  generationRows: number;
}

const DEFAULT_CLOSE_GRACE_MS = 10_000;
export const DEFAULT_PREFIX_CACHE_BYTES = 256 * 1024 * 1024;

export class GlanceService {
  readonly manifest: BundleManifest;
  /** The model id the service was started with (GlanceServiceOptions.modelId). */
  readonly modelId: string;
  readonly #options: GlanceServiceOptions;
  readonly #supervisor: EngineSupervisor;
  readonly #cache: EmbeddingCache;
  /** OPT bundles with a prefix budget; undefined otherwise (T5 has no per-image prefix). */
  readonly #prefixes: PrefixCache | undefined;
  readonly #limiter: UserRateLimiter;
  readonly #vision: MicroBatcher<VisionJob, VisionOutcome>;
  readonly #generation: GenerationScheduler;
  readonly #shutdown = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #calls: EngineCallCounts = { visionBatches: 0, visionImages: 0, generationBatches: 0, generationRows: 0 };
  #admitted = 0;
  #closing: Promise<void> | undefined;

  private constructor(supervisor: EngineSupervisor, options: GlanceServiceOptions) {
    this.#options = options;
    this.#supervisor = supervisor;
    this.manifest = supervisor.manifest;
    this.modelId = options.modelId;
    this.#cache = new EmbeddingCache({
      maxBytes: options.cache.maxBytes,
      ttlMs: options.cache.ttlMs,
      modelId: `${options.modelId}@${this.manifest.dtype}`,
      preprocessVersion: `${PREPROCESS_VERSION}:${createHash('sha256').update(JSON.stringify(this.manifest.preprocessor)).digest('hex').slice(0, 16)}`,
      metrics: options.metrics,
    });
    const prefixMaxBytes = options.cache.prefixMaxBytes ?? DEFAULT_PREFIX_CACHE_BYTES;
    if (!Number.isFinite(prefixMaxBytes) || prefixMaxBytes < 0) {
      throw new GlanceError(ErrorCode.InvalidInput, `cache.prefixMaxBytes must be zero or more bytes (got ${prefixMaxBytes})`);
    }
    this.#prefixes =
      this.manifest.model.architecture === 'blip2-opt' && prefixMaxBytes > 0
        ? new PrefixCache({ maxBytes: prefixMaxBytes, ttlMs: options.cache.ttlMs, metrics: options.metrics })
        : undefined;
    this.#limiter = new UserRateLimiter({ perMinute: options.queue.perUserPerMinute, maxRunning: options.queue.maxRunningPerUser });
    this.#vision = new MicroBatcher({
      maxBatch: options.queue.maxBatch,
      run: (jobs) => {
        this.#calls.visionBatches++;
        this.#calls.visionImages += jobs.length;
        return encodeVisionJobs(jobs, (images, callOptions) => this.#supervisor.encodeImages(images, callOptions));
      },
    });
    this.#generation = new GenerationScheduler({
      maxBatch: options.queue.maxBatch,
      generate: (items, generation, callOptions) => this.#supervisor.generate(items, generation, { ...callOptions, keepPrefix: this.#prefixes !== undefined }),
      onBatch: (size) => {
        this.#calls.generationBatches++;
        this.#calls.generationRows += size;
        options.metrics?.batchSize.observe(size);
        this.#reportQueue();
      },
    });
  }

  static async start(options: GlanceServiceOptions): Promise<GlanceService> {
    const { maxQueued, maxBatch, deadlineMs } = options.queue;
    for (const [name, value] of Object.entries({ maxQueued, maxBatch })) {
      if (!Number.isInteger(value) || value < 1) throw new GlanceError(ErrorCode.InvalidInput, `queue.${name} must be a positive integer (got ${value})`);
    }
    if (!(deadlineMs > 0)) throw new GlanceError(ErrorCode.InvalidInput, `queue.deadlineMs must be a positive number (got ${deadlineMs})`);
    if (options.generationLimits) checkGenerationLimits(options.generationLimits);
    const log = options.log;
    const supervisor = await EngineSupervisor.start({
      bundleDir: options.bundleDir,
      provider: options.provider,
      threads: options.threads,
      maxPixels: options.maxPixels,
      log: log ? (message) => log.info({ component: 'engine' }, message) : undefined,
      onRestart: ({ restarts, error }) => {
        options.metrics?.workerRestarts.inc();
        if (error) log?.error({ err: error, restarts }, 'the engine could not be restarted');
        else log?.warn({ restarts }, 'the engine worker was restarted after a crash');
      },
      onFatal: options.onEngineFatal,
      restartDelaysMs: options.restartDelaysMs,
      openEngine: options.openEngine,
    });
    if (supervisor.manifest.model.architecture === 'blip2-itm') {
      await supervisor.close();
      throw new GlanceError(ErrorCode.ModelKindMismatch, 'the service captions and answers questions: it needs a generative BLIP-2 bundle, not a retrieval (ITM) one');
    }
    try {
      return new GlanceService(supervisor, options);
    } catch (error) {
      await supervisor.close();
      throw error;
    }
  }

  /** Captions the image, or answers the question about it. */
  run(request: ServiceRequest): Promise<ServiceResult> {
    if (this.#closing) return Promise.reject(new GlanceError(ErrorCode.Aborted, 'the service is shutting down'));
    if (this.#supervisor.fatal) return Promise.reject(this.#supervisor.fatal);
    const queued = this.#queued();
    if (queued >= this.#options.queue.maxQueued) {
      return Promise.reject(new GlanceError(ErrorCode.Busy, `glance is busy (${queued} requests waiting); try again in a moment`, { queued }));
    }
    let release: () => void;
    let deadline: RequestDeadline;
    let generation: Record<string, unknown>;
    let batching: GenerationBatchKey;
    try {
      validate(request);
      // Bad generation options, and options over the server's caps, are refused before any work, so a refused
      // request leaves nothing in the cache.
      const model = this.#supervisor.manifest.model;
      if (model.architecture === 'blip2-itm') throw new GlanceError(ErrorCode.ModelKindMismatch, 'a retrieval (ITM) bundle does not generate text');
      let resolved;
      ({ generation, resolved } = limitGeneration(request.generation ?? {}, this.#options.generationLimits, { eosTokenIds: model.eosTokenIds, padTokenId: model.padTokenId }));
      batching = generationBatchKey(resolved);
      deadline = new RequestDeadline(request.timeoutMs ?? this.#options.queue.deadlineMs, AbortSignal.any([this.#shutdown.signal, ...(request.signal ? [request.signal] : [])]));
      if (deadline.signal.aborted) throw deadline.error();
      release = this.#limiter.admit(request.userId);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#admitted++;
    this.#reportQueue();
    const { ended, stop } = deadline.whenEnded();
    const running = Promise.race([this.#process(request, generation, batching, deadline), ended]).finally(() => {
      stop();
      release();
      this.#admitted--;
      this.#reportQueue();
      this.#inFlight.delete(running);
    });
    this.#inFlight.add(running);
    return running;
  }

  async #process(request: ServiceRequest, generation: Record<string, unknown>, batching: GenerationBatchKey, deadline: RequestDeadline): Promise<ServiceResult> {
    const acceptedAt = performance.now();
    const stage = stageReporter(request.onStage);
    stage('queued');
    let encoded: ImageEmbedding | undefined;
    const lookup = await this.#embed(request.image, deadline, (embedding) => (encoded = embedding), () => stage('reading-image'));
    stage('queued');
    const prefix = this.#prefixes?.get(lookup.key);
    const { output, batch } = await this.#generation.submit({
      channelId: request.channelId,
      item: { queryEmbeds: lookup.queryEmbeds, prompt: buildPrompt(request.question, request.rawPrompt), prefixHead: promptHead(request.question, request.rawPrompt), ...(prefix ? { prefix } : {}) },
      generation,
      batchKey: batching.key,
      alone: batching.alone,
      signal: deadline.signal,
      abortError: () => deadline.error(),
      onToken: request.onToken,
      onStart: () => stage('writing'),
    });
    // A new prefix: this image's first, or one that covers more of this kind of prompt than the kept one.
    if (output.prefix) this.#prefixes?.set(lookup.key, output.prefix);
    const preprocess = encoded?.timingsMs.preprocess ?? 0;
    const vision = encoded?.timingsMs.vision ?? 0;
    const total = performance.now() - acceptedAt;
    const timingsMs = {
      queue: Math.max(0, batch.startedAt - acceptedAt - preprocess - vision),
      preprocess,
      vision,
      prefill: output.timingsMs.prefill,
      decode: output.timingsMs.decode,
      total,
    };
    // Stages this request did not run (preprocessing and vision on a cache hit) are not observed as taking 0 s.
    const stages = this.#options.metrics?.stageSeconds;
    const ran = ([stage]: [string, number]) => encoded !== undefined || (stage !== 'preprocess' && stage !== 'vision');
    if (stages) for (const [stage, ms] of Object.entries(timingsMs).filter(ran)) stages.observe({ stage }, ms / 1000);
    return {
      text: output.text,
      sequence: output.sequence,
      finishReason: output.finishReason,
      promptTokens: output.promptTokens,
      imageHash: lookup.imageHash,
      cacheHit: lookup.hit,
      prefixCacheHit: prefix !== undefined,
      batchSize: batch.batchSize,
      timingsMs,
    };
  }

  /**
   * The image's query embeddings from the cache, or from a vision batch under this request's deadline. A request
   * that waited on another request's encoding of the same image, which that request's end cancelled, encodes it
   * again under its own deadline (a few times at most).
   */
  async #embed(image: Uint8Array, deadline: RequestDeadline, onEncoded: (embedding: ImageEmbedding) => void, onStart: () => void) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#cache.getOrCompute(image, async (bytes) => {
          const outcome = await this.#vision.submit({ image: bytes, signal: deadline.signal, deadlineAt: deadline.deadlineAt, onStart });
          if ('error' in outcome) throw outcome.error;
          onEncoded(outcome.embedding);
          return outcome.embedding.queryEmbeds;
        });
      } catch (error) {
        const endedElsewhere = error instanceof GlanceError && (error.code === ErrorCode.Aborted || error.code === ErrorCode.DeadlineExceeded) && !deadline.signal.aborted;
        if (!endedElsewhere || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Admitted requests not yet generating. A cancelled or timed-out request is released at once while its row may
   * still run until the batch's next decode step, so running can briefly exceed the admitted ones.
   */
  #queued(): number {
    return Math.max(0, this.#admitted - this.#generation.running);
  }

  #reportQueue(): void {
    this.#options.metrics?.queueDepth.set(this.#queued());
  }

  /** `ok`: accepting requests with a working engine (false while a crashed engine restarts, or after close). */
  health(): { ok: boolean; provider: 'cpu' | 'cuda'; queued: number; running: number; workerRestarts: number; cache: ReturnType<EmbeddingCache['stats']>; prefixCache: ReturnType<PrefixCache['stats']> | null } {
    const running = this.#generation.running;
    return {
      ok: !this.#closing && this.#supervisor.available,
      provider: this.#supervisor.provider,
      queued: this.#queued(),
      running,
      workerRestarts: this.#supervisor.restarts,
      cache: this.#cache.stats(),
      prefixCache: this.#prefixes?.stats() ?? null,
    };
  }

  /** The ENGINE_CRASHED error that ended the service when a crashed engine could not be re-opened; undefined otherwise. */
  engineFatal(): GlanceError | undefined {
    return this.#supervisor.fatal;
  }

  /** How many vision and generation engine calls the service made, and for how many images/rows. */
  engineCalls(): EngineCallCounts {
    return { ...this.#calls };
  }

  /** For crash tests only: kills the engine's worker thread as a crash would. */
  crashEngineForTest(): Promise<void> {
    return this.#supervisor.crashForTest();
  }

  /**
   * Graceful shutdown: new requests are refused (ABORTED), requests in flight get `graceMs` (default 10 s) to
   * finish, then the rest are cancelled (ABORTED) and the engine is closed.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const graceMs = options.graceMs ?? DEFAULT_CLOSE_GRACE_MS;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled([...this.#inFlight]), grace]);
      clearTimeout(timer);
      this.#shutdown.abort();
      await Promise.allSettled([...this.#inFlight]);
      await this.#supervisor.close();
      this.#cache.clear();
      this.#prefixes?.clear();
    })();
    return this.#closing;
  }
}

/** Calls `onStage` with each new stage, never the same one twice in a row (a batch rerun row by row starts again). */
function stageReporter(onStage: ((stage: ServiceStage) => void) | undefined): (stage: ServiceStage) => void {
  let last: ServiceStage | undefined;
  return (stage) => {
    if (stage === last) return;
    last = stage;
    onStage?.(stage);
  };
}

function validate(request: ServiceRequest): void {
  if (!(request.image instanceof Uint8Array)) throw new GlanceError(ErrorCode.InvalidInput, 'the request has no image bytes');
  if (request.question !== undefined && typeof request.question !== 'string') throw new GlanceError(ErrorCode.InvalidInput, 'the question must be text');
  if (typeof request.userId !== 'string' || request.userId === '') throw new GlanceError(ErrorCode.InvalidInput, 'the request needs a userId');
  if (typeof request.channelId !== 'string' || request.channelId === '') throw new GlanceError(ErrorCode.InvalidInput, 'the request needs a channelId');
  const generation = request.generation;
  if (generation !== undefined && (generation === null || typeof generation !== 'object' || Array.isArray(generation))) {
    throw new GlanceError(ErrorCode.InvalidInput, 'generation options must be an object');
  }
}
