/**
 * Keeps one Engine serving. When its worker thread dies, the calls in flight fail with ENGINE_CRASHED (the worker
 * channel's doing), the supervisor opens a fresh engine on the same bundle, counts the restart, and later calls go to
 * the new engine. Calls made while the engine is being re-opened wait for it.
 */
import { Engine, type CallOptions, type EngineOptions, type GenerateCallOptions, type GenerationItem, type GenerationOutput, type ImageEmbedding } from '../../engine/engine.ts';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import type { BundleManifest } from '../../engine/bundle/manifest.ts';

export interface EngineSupervisorOptions extends Omit<EngineOptions, 'onCrash'> {
  /** Told after each crash, once the engine has been re-opened (or failed to). */
  onRestart?: (outcome: { restarts: number; error?: Error }) => void;
}

export class EngineSupervisor {
  readonly manifest: BundleManifest;
  readonly #options: EngineSupervisorOptions;
  #current: Promise<Engine>;
  #restarts = 0;
  #closed = false;
  #available = true;

  private constructor(engine: Engine, options: EngineSupervisorOptions) {
    this.manifest = engine.manifest;
    this.#options = options;
    this.#current = Promise.resolve(engine);
  }

  static async start(options: EngineSupervisorOptions): Promise<EngineSupervisor> {
    let supervisor: EngineSupervisor | undefined;
    let crashedEarly = false;
    const engine = await Engine.open({
      ...options,
      onCrash: () => (supervisor ? supervisor.#restart() : (crashedEarly = true)),
    });
    supervisor = new EngineSupervisor(engine, options);
    if (crashedEarly) supervisor.#restart();
    return supervisor;
  }

  /** False while a crashed engine is being re-opened, after a failed re-open, and once closed. */
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
    if (this.#closed) return;
    this.#restarts++;
    this.#available = false;
    this.#options.log?.(`the engine worker died; restarting it (restart ${this.#restarts})`);
    const reopened = this.#open();
    this.#current = reopened;
    reopened.then(
      () => {
        if (this.#current === reopened) this.#available = true;
        this.#options.onRestart?.({ restarts: this.#restarts });
      },
      (error: Error) => this.#options.onRestart?.({ restarts: this.#restarts, error }),
    );
  }

  #open(): Promise<Engine> {
    const { onRestart: _onRestart, ...engineOptions } = this.#options;
    return Engine.open({ ...engineOptions, onCrash: () => this.#restart() }).then(async (engine) => {
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
    const engine = await this.#current.catch(() => undefined);
    await engine?.close().catch(() => undefined);
  }
}
