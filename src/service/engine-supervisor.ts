/**
 * Keeps one Engine serving. When its worker thread dies, the calls in flight fail with ENGINE_CRASHED (the worker
 * channel's doing), the supervisor opens a fresh engine on the same bundle, counts the restart, and later calls go to
 * the new engine. Calls made while the engine is being re-opened wait for it.
 *
 * A re-open that fails is retried with backoff (by default after 1, 2, 4, 8 and 16 s). When every try has failed the
 * supervisor is fatal: calls fail with ENGINE_CRASHED and `onFatal` is told once, so the process can exit and let
 * its supervisor (a container restart policy) start it afresh instead of serving errors forever.
 */
import { Engine, type CallOptions, type EngineOptions, type GenerateCallOptions, type GenerationItem, type GenerationOutput, type ImageEmbedding } from '../../engine/engine.ts';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import type { BundleManifest } from '../../engine/bundle/manifest.ts';

export interface EngineSupervisorOptions extends Omit<EngineOptions, 'onCrash'> {
  /** Told after each crash, once the engine has been re-opened (or every try to re-open it failed). */
  onRestart?: (outcome: { restarts: number; error?: Error }) => void;
  /** Told once when the engine could not be re-opened after a crash, however often it was tried: it serves no more. */
  onFatal?: (error: GlanceError) => void;
  /** Pauses before the second, third… try to re-open a crashed engine (default 1, 2, 4, 8, 16 s). */
  restartDelaysMs?: readonly number[];
  /** Opens an engine (default Engine.open); tests inject failures through it. */
  openEngine?: (options: EngineOptions) => Promise<Engine>;
}

export const DEFAULT_RESTART_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000];

export class EngineSupervisor {
  readonly manifest: BundleManifest;
  readonly #options: EngineSupervisorOptions;
  #current: Promise<Engine>;
  #restarts = 0;
  #closed = false;
  #available = true;
  #fatal: GlanceError | undefined;
  /** Where the serving engine runs: with provider `auto` a GPU host that fell back to CPU shows here. */
  #provider: 'cpu' | 'cuda';
  /** Ends the pauses between re-open tries when the supervisor closes. */
  readonly #closing = new AbortController();

  private constructor(engine: Engine, options: EngineSupervisorOptions) {
    this.manifest = engine.manifest;
    this.#options = options;
    this.#current = Promise.resolve(engine);
    this.#provider = engine.provider;
  }

  /** The execution provider the serving engine runs on (cpu or cuda). */
  get provider(): 'cpu' | 'cuda' {
    return this.#provider;
  }

  static async start(options: EngineSupervisorOptions): Promise<EngineSupervisor> {
    let supervisor: EngineSupervisor | undefined;
    let crashedEarly = false;
    const engine = await (options.openEngine ?? Engine.open)({
      ...options,
      onCrash: () => (supervisor ? supervisor.#restart() : (crashedEarly = true)),
    });
    supervisor = new EngineSupervisor(engine, options);
    if (crashedEarly) supervisor.#restart();
    return supervisor;
  }

  /** The error that ended the supervisor when a crashed engine could not be re-opened; undefined while it serves. */
  get fatal(): GlanceError | undefined {
    return this.#fatal;
  }

  /** False while a crashed engine is being re-opened, after every re-open try failed, and once closed. */
  get available(): boolean {
    return this.#available && !this.#closed;
  }

  /** How many times the worker died and was re-opened. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The engine now serving (waits while a crashed one is being re-opened). */
  engine(): Promise<Engine> {
    if (this.#closed) return Promise.reject(new GlanceError(ErrorCode.Aborted, 'the service is shutting down'));
    return this.#current;
  }

  async encodeImages(images: readonly Uint8Array[], options: CallOptions = {}): Promise<ImageEmbedding[]> {
    return (await this.engine()).encodeImages(images, options);
  }

  async generate(items: readonly GenerationItem[], generation: unknown, options: GenerateCallOptions = {}): Promise<GenerationOutput[]> {
    return (await this.engine()).generate(items, generation, options);
  }

  #restart(): void {
    if (this.#closed || this.#fatal) return;
    this.#restarts++;
    this.#available = false;
    this.#options.log?.(`the engine worker died; restarting it (restart ${this.#restarts})`);
    const reopened = this.#reopen();
    this.#current = reopened;
    reopened.then(
      (engine) => {
        if (this.#current === reopened) {
          this.#available = true;
          this.#provider = engine.provider;
        }
        this.#options.onRestart?.({ restarts: this.#restarts });
      },
      (error: GlanceError) => {
        this.#options.onRestart?.({ restarts: this.#restarts, error });
        if (this.#closed) return;
        this.#fatal = error;
        this.#options.onFatal?.(error);
      },
    );
  }

  /** Opens a fresh engine, trying again after each pause of restartDelaysMs; rejects with ENGINE_CRASHED when all fail. */
  async #reopen(): Promise<Engine> {
    const delays = this.#options.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
    const tries = delays.length + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= tries; attempt++) {
      if (attempt > 1) await pause(delays[attempt - 2], this.#closing.signal);
      if (this.#closed) break;
      try {
        return await this.#open();
      } catch (error) {
        lastError = error;
        if (this.#closed) break;
        const next = attempt < tries ? `; trying again in ${delays[attempt - 1] / 1000} s` : '';
        this.#options.log?.(`re-opening the engine failed (try ${attempt} of ${tries}): ${(error as Error).message}${next}`);
      }
    }
    if (this.#closed) throw new GlanceError(ErrorCode.Aborted, 'the service is shutting down');
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new GlanceError(ErrorCode.EngineCrashed, `the engine crashed and could not be re-opened (${tries} tries): ${reason}`, { tries }, { cause: lastError });
  }

  #open(): Promise<Engine> {
    const { onRestart: _onRestart, onFatal: _onFatal, restartDelaysMs: _delays, openEngine, ...engineOptions } = this.#options;
    return (openEngine ?? Engine.open)({ ...engineOptions, onCrash: () => this.#restart() }).then(async (engine) => {
      if (!this.#closed) return engine;
      await engine.close();
      throw new GlanceError(ErrorCode.Aborted, 'the service is shutting down');
    });
  }

  /** For crash tests only: kills the serving engine's worker as a crash would. */
  async crashForTest(): Promise<void> {
    await (await this.#current).terminateWorkerForTest();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    const engine = await this.#current.catch(() => undefined);
    await engine?.close().catch(() => undefined);
  }
}

/** Resolves after `ms`, or at once when `signal` fires; the timer does not keep the process alive. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
