/**
 * What every runtime does the same way with a bundle: open the family's sessions (checking each against the
 * manifest), load the tokenizer and the image processor settings, and turn a batch of image files into pixel values.
 */
import { readFile } from 'node:fs/promises';
import { checkGraphNames, requiredGraph, type Bundle } from '../bundle/load-bundle.ts';
import { REQUIRED_GRAPHS } from '../bundle/tensor-names.ts';
import { GlanceError, ErrorCode } from '../errors.ts';
import { parseImageProcessorConfig, type ImageProcessorConfig } from '../preprocess/image-processor-config.ts';
import { preprocessImage } from '../preprocess/preprocess.ts';
import { TextTokenizer } from '../tokenizer/text-tokenizer.ts';
import { openSession, type ExecutionProvider, type ModelSession } from './onnx-runtime.ts';

export interface SessionSettings {
  provider: ExecutionProvider;
  threads?: number;
  log?: (message: string) => void;
}

/** Opens every graph the bundle's family needs; on any failure releases what was opened and rethrows. */
export async function openBundleSessions(bundle: Bundle, settings: SessionSettings): Promise<Record<string, ModelSession>> {
  const sessions: Record<string, ModelSession> = {};
  try {
    for (const name of REQUIRED_GRAPHS[bundle.manifest.model.architecture]) {
      const spec = requiredGraph(bundle, name);
      const session = await openSession(bundle.path(spec.file), settings);
      sessions[name] = session;
      checkGraphNames(bundle, name, spec, session.inputNames, session.outputNames);
    }
  } catch (error) {
    await releaseSessions(sessions);
    throw error;
  }
  return sessions;
}

export async function releaseSessions(sessions: Record<string, ModelSession>): Promise<void> {
  await Promise.all(Object.values(sessions).map((s) => s.release()));
}

export async function loadBundleTokenizer(bundle: Bundle): Promise<TextTokenizer> {
  const { tokenizer } = bundle.manifest;
  const json = JSON.parse(await readFile(bundle.path(tokenizer.file), 'utf8'));
  const config = tokenizer.configFile ? JSON.parse(await readFile(bundle.path(tokenizer.configFile), 'utf8')) : {};
  return new TextTokenizer(json, config);
}

export function bundleImageConfig(bundle: Bundle): ImageProcessorConfig {
  return parseImageProcessorConfig(bundle.manifest.preprocessor);
}

export interface PixelBatch {
  /** [count, 3, side, side] */
  pixels: Float32Array;
  preprocessMs: number[];
}

/** Preprocesses each image (Pillow-exact) into one pixel batch, checking for cancellation between images. */
export async function preprocessBatch(images: readonly Uint8Array[], config: ImageProcessorConfig, side: number, maxPixels: number | undefined, signal?: AbortSignal): Promise<PixelBatch> {
  const plane = 3 * side * side;
  const pixels = new Float32Array(images.length * plane);
  const preprocessMs: number[] = [];
  for (const [i, bytes] of images.entries()) {
    throwIfAborted(signal);
    const started = performance.now();
    const result = await preprocessImage(bytes, config, maxPixels === undefined ? undefined : { maxPixels }).catch((error: unknown) => {
      // details.imageIndex says which image of the batch it was, so a caller can name the file (the CLI does).
      throw error instanceof GlanceError ? new GlanceError(error.code, error.message, { ...error.details, imageIndex: i }, { cause: error }) : error;
    });
    pixels.set(result.pixelValues, i * plane);
    preprocessMs.push(performance.now() - started);
  }
  throwIfAborted(signal);
  return { pixels, preprocessMs };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GlanceError(ErrorCode.Aborted, 'the request was cancelled');
}
