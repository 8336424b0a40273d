/** Messages between the Engine (main thread) and the engine worker thread. */
import type { ErrorCode } from '../errors.ts';
import type { GenerationItem, RuntimeOptions } from '../runtime/blip2-runtime.ts';
import type { BundleManifest } from '../bundle/manifest.ts';

export type WorkerRequest =
  | { id: number; kind: 'open'; bundleDir: string; options: Omit<RuntimeOptions, 'log'> }
  | { id: number; kind: 'encodeImages'; images: Uint8Array[] }
  | { id: number; kind: 'generate'; items: GenerationItem[]; options: unknown; stream: boolean; keepPrefix: boolean }
  | { id: number; kind: 'match'; image: Uint8Array; texts: string[] }
  | { id: number; kind: 'embedImages'; images: Uint8Array[] }
  | { id: number; kind: 'embedTexts'; texts: string[] }
  | { id: number; kind: 'cancel'; target: number }
  /** Tests of crash handling only: the worker exits at once with a non-zero code, as a crash would. */
  | { id: number; kind: 'exitForTest' }
  | { id: number; kind: 'close' };

export type OpenResult = { manifest: BundleManifest; provider: 'cpu' | 'cuda' };

export type SerializedError = { code: ErrorCode; message: string; details?: Record<string, unknown> };

export type WorkerResponse =
  | { id: number; kind: 'result'; value: unknown }
  | { id: number; kind: 'error'; error: SerializedError }
  | { id: number; kind: 'token'; row: number; token: number; text: string }
  | { id: -1; kind: 'log'; message: string };
