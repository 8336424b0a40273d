/**
 * The one module that imports onnxruntime-node. It opens sessions with the requested execution provider and converts
 * between plain typed arrays and ORT tensors so no other module sees ORT types.
 *
 * CUDA is asked for only when the provider is `cuda` or `auto`, and never when onnxruntime-node was installed without
 * its CUDA provider libraries (the default install): asking then makes onnxruntime print a native "Failed to load
 * library … libonnxruntime_providers_shared.so" line on stderr. `auto` decides once per thread (the engine worker):
 * the first session tries CUDA, and a failure sends it and every later session to the CPU with one log line.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GlanceError, ErrorCode } from '../errors.ts';

export type ExecutionProvider = 'cpu' | 'cuda' | 'auto';

export type TensorData =
  | { dtype: 'float32'; dims: readonly number[]; data: Float32Array }
  | { dtype: 'int64'; dims: readonly number[]; data: BigInt64Array };

export interface SessionOptions {
  provider: ExecutionProvider;
  /** Intra-op threads; 0 lets onnxruntime choose. */
  threads?: number;
  log?: (message: string) => void;
}

export interface ModelSession {
  readonly provider: 'cpu' | 'cuda';
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, TensorData>, outputs?: readonly string[]): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/** Set once CUDA failed to load in `auto` mode, so later sessions go straight to CPU with a single log line. */
let cudaUnavailable = false;

/** onnxruntime-node's native folder, where an ONNXRUNTIME_NODE_INSTALL=cuda12 install puts the CUDA provider libraries. */
function nativeFolder(): string {
  const main = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** The CUDA provider libraries onnxruntime loads for the `cuda` provider, by platform (none exist on macOS). */
function cudaLibraryNames(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll'];
  return ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];
}

/** The CUDA provider libraries missing from `folder` (default: onnxruntime-node's); empty when CUDA can be asked for. */
export function missingCudaLibraries(folder: string = nativeFolder(), platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'darwin') return cudaLibraryNames(platform);
  return cudaLibraryNames(platform).filter((name) => !existsSync(join(folder, name)));
}

/** Why CUDA cannot be asked for without onnxruntime trying to load it, or undefined when it can. */
function cudaNotInstalled(): string | undefined {
  const missing = missingCudaLibraries();
  return missing.length === 0 ? undefined : `onnxruntime-node was installed without its CUDA provider (${missing.join(', ')} missing)`;
}

function sessionOptions(providers: string[], threads: number | undefined): ort.InferenceSession.SessionOptions {
  return {
    // A failed CUDA probe logs native errors; in auto mode that failure is expected and reported once by us.
    logSeverityLevel: providers[0] === 'cuda' ? 4 : 2,
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads ?? 0,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: true,
    enableMemPattern: true,
    // The thread pool's workers would otherwise spin for a while after each run, holding the cores the event loop
    // (the service's adapters, on the main thread) needs; measured on 2 cores: decode speed unchanged, the Discord
    // adapter's overhead beside the depth8 model 41 → 33 ms median, 70 → 48 ms p95 (docs/benchmarks.md).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

async function open(path: string, providers: string[], threads: number | undefined): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, sessionOptions(providers, threads));
}

export async function openSession(path: string, options: SessionOptions): Promise<ModelSession> {
  let session: ort.InferenceSession;
  let provider: 'cpu' | 'cuda' = options.provider === 'cpu' || (options.provider === 'auto' && cudaUnavailable) ? 'cpu' : 'cuda';
  const notInstalled = provider === 'cuda' ? cudaNotInstalled() : undefined;
  if (notInstalled !== undefined) {
    if (options.provider === 'cuda') throw cudaUnavailableError(path, notInstalled);
    cudaUnavailable = true;
    options.log?.(`CUDA execution provider unavailable (${notInstalled}); falling back to CPU`);
    provider = 'cpu';
  }
  try {
    session = await open(path, provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'], options.threads);
  } catch (error) {
    if (options.provider === 'auto' && provider === 'cuda') {
      cudaUnavailable = true;
      options.log?.(`CUDA execution provider unavailable (${(error as Error).message.split('\n')[0]}); falling back to CPU for ${path}`);
      provider = 'cpu';
      try {
        session = await open(path, ['cpu'], options.threads);
      } catch (cpuError) {
        throw loadFailure(path, cpuError);
      }
    } else {
      if (options.provider === 'cuda') throw cudaUnavailableError(path, (error as Error).message.split('\n')[0], error);
      throw loadFailure(path, error);
    }
  }
  return wrap(session, provider);
}

function cudaUnavailableError(path: string, why: string, cause?: unknown): GlanceError {
  const message = `the CUDA execution provider could not be used for ${path}: ${why}. On a GPU host install CUDA 12 and onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12; otherwise use --provider cpu or auto.`;
  return new GlanceError(ErrorCode.ProviderUnavailable, message, { path }, { cause });
}

function loadFailure(path: string, error: unknown): GlanceError {
  return new GlanceError(ErrorCode.BundleInvalid, `onnxruntime could not load ${path}: ${(error as Error).message}`, { path }, { cause: error });
}

function toOrt(value: TensorData): ort.Tensor {
  return new ort.Tensor(value.dtype, value.data, value.dims as number[]);
}

function fromOrt(name: string, tensor: ort.Tensor): TensorData {
  if (tensor.type === 'float32') return { dtype: 'float32', dims: tensor.dims, data: tensor.data as Float32Array };
  if (tensor.type === 'int64') return { dtype: 'int64', dims: tensor.dims, data: tensor.data as BigInt64Array };
  throw new GlanceError(ErrorCode.RuntimeFailure, `output ${name} has unexpected type ${tensor.type}`);
}

function wrap(session: ort.InferenceSession, provider: 'cpu' | 'cuda'): ModelSession {
  return {
    provider,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, outputs) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toOrt(value);
      let result: ort.InferenceSession.ReturnType;
      try {
        result = outputs ? await session.run(ortFeeds, outputs as string[]) : await session.run(ortFeeds);
      } catch (error) {
        throw new GlanceError(ErrorCode.RuntimeFailure, `onnxruntime failed: ${(error as Error).message}`, undefined, { cause: error });
      }
      const out: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(result)) out[name] = fromOrt(name, tensor);
      return out;
    },
    async release() {
      await session.release();
    },
  };
}
