/**
 * `glance convert`: Hugging Face BLIP-2 checkpoint directory → ONNX bundle directory.
 *
 * The graphs are built from config.json alone, every weight they need is checked against the checkpoint's headers
 * before anything heavy happens, then tensors stream one at a time into the bundle's weights.bin (peak memory ≈ the
 * largest tensor). Everything is written into a temporary sibling folder that is renamed to `--out` at the very end,
 * so a failed conversion leaves nothing in `--out`.
 */
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GlanceError, ErrorCode } from '../errors.ts';
import { MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, type BundleManifest, type GraphSpec } from '../bundle/manifest.ts';
import { parseImageProcessorConfig } from '../preprocess/image-processor-config.ts';
import { resolveBlip2Config } from './blip2-config.ts';
import { openCheckpoint, type CheckpointIndex } from './checkpoint-files.ts';
import { expectShape, readTensorFloat32 } from './safetensors-reader.ts';
import { buildFamily, type FamilyBuild } from './families/model-family.ts';
import { partKey, type GraphBuilder, type StoredWeight, type WeightRef } from './onnx/graph-builder.ts';
import { encodeModel } from './onnx/onnx-proto.ts';
import { WeightFileWriter, type WeightLocation } from './onnx/weight-file.ts';
import { encodeWeight } from './quantize/encode-weight.ts';
import { checkFormatForFamily, parseWeightFormat, weightPolicy } from './weight-format.ts';
import { formatFileName, isQuantized, type WeightFormat } from '../bundle/weight-formats.ts';

export interface ConvertOptions {
  checkpointDir: string;
  outDir: string;
  /** fp32 (default), fp16, bf16, int8, int4 */
  dtype?: string;
  /** int8/int4 only: MatMulNBits block size (default DEFAULT_BLOCK_SIZE) */
  blockSize?: string | number;
  /** int8/int4 only: MatMulNBits accuracy level 0–4 (default DEFAULT_ACCURACY_LEVEL) */
  accuracyLevel?: string | number;
  /** Called after each tensor is written. */
  onProgress?: (progress: { doneBytes: number; totalBytes: number; tensor: string }) => void;
}

export interface ConvertResult {
  outDir: string;
  manifest: BundleManifest;
  weightBytes: number;
  tensorCount: number;
}

const OPSET = 17;

async function readJson(dir: string, file: string, required: boolean): Promise<unknown> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!required) return undefined;
      throw new GlanceError(ErrorCode.CheckpointMissingFile, `The checkpoint has no ${file} (looked in ${dir}). A Hugging Face BLIP-2 checkpoint folder needs config.json, model.safetensors (or its shards), tokenizer.json and preprocessor_config.json.`, { file: path });
    }
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GlanceError(ErrorCode.CheckpointInvalidConfig, `${file} in ${dir} is not valid JSON: ${(error as Error).message}`, { file: path });
  }
}

function graphSpec(file: string, graph: GraphBuilder): GraphSpec {
  return { file, inputs: graph.inputs, outputs: graph.outputs };
}

async function ensureOutputFree(outDir: string): Promise<void> {
  try {
    const info = await stat(outDir);
    if (!info.isDirectory() || (await readdir(outDir)).length > 0) {
      throw new GlanceError(ErrorCode.OutputExists, `${outDir} already exists and is not empty; choose another --out or delete it first.`, { outDir });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Checks every weight the graphs need against the checkpoint before any data is written. */
function checkWeights(refs: Iterable<WeightRef>, checkpoint: CheckpointIndex): void {
  for (const ref of refs) {
    const info = checkpoint.tensors.get(ref.checkpointName);
    if (!info) {
      throw new GlanceError(ErrorCode.CheckpointShapeMismatch, `The checkpoint has no tensor ${ref.checkpointName} (expected shape [${ref.shape.join(', ')}] from config.json). The weights do not belong to this config, or the checkpoint is incomplete.`, { tensor: ref.checkpointName, expected: ref.shape });
    }
    expectShape(info, ref.shape);
  }
}

const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function buildManifest(family: FamilyBuild, format: WeightFormat, preprocessor: Record<string, unknown>, hasTokenizerConfig: boolean, weights: BundleManifest['weights']): BundleManifest {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    createdBy: 'glance convert',
    dtype: format.dtype,
    ...(isQuantized(format.dtype) ? { quantization: { op: 'MatMulNBits' as const, bits: format.dtype === 'int4' ? (4 as const) : (8 as const), blockSize: format.blockSize!, accuracyLevel: format.accuracyLevel!, zeroPoints: true } } : {}),
    model: family.model,
    preprocessor,
    tokenizer: { file: 'tokenizer.json', configFile: hasTokenizerConfig ? 'tokenizer_config.json' : null },
    weights,
    graphs: Object.fromEntries(family.graphs.map((g) => [g.key, graphSpec(formatFileName(g.stem, format, 'onnx'), g.builder)])),
  };
}

export async function convertCheckpoint(options: ConvertOptions): Promise<ConvertResult> {
  const format = parseWeightFormat(options);
  const weightsFile = formatFileName('weights', format, 'bin');
  const checkpointDir = resolve(options.checkpointDir);
  const outDir = resolve(options.outDir);
  const dirInfo = await stat(checkpointDir).catch(() => undefined);
  if (!dirInfo?.isDirectory()) {
    throw new GlanceError(ErrorCode.CheckpointMissingFile, `Checkpoint folder ${checkpointDir} does not exist.`, { dir: checkpointDir });
  }

  const config = resolveBlip2Config(await readJson(checkpointDir, 'config.json', true));
  const preprocessorJson = (await readJson(checkpointDir, 'preprocessor_config.json', true)) as Record<string, unknown>;
  const imageConfig = parseImageProcessorConfig(preprocessorJson);
  if (imageConfig.width !== config.vision.imageSize || imageConfig.height !== config.vision.imageSize) {
    throw new GlanceError(ErrorCode.CheckpointInvalidConfig, `preprocessor_config.json resizes to ${imageConfig.width}x${imageConfig.height} but the vision tower expects ${config.vision.imageSize}x${config.vision.imageSize} (vision_config.image_size).`);
  }
  // num_query_tokens may be null (the retrieval checkpoints' processor reads no query count): then there is nothing to check.
  const processorJson = (await readJson(checkpointDir, 'processor_config.json', false)) as { num_query_tokens?: number | null } | undefined;
  if (processorJson?.num_query_tokens != null && processorJson.num_query_tokens !== config.numQueryTokens) {
    throw new GlanceError(ErrorCode.CheckpointInvalidConfig, `processor_config.json says num_query_tokens ${processorJson.num_query_tokens} but config.json says ${config.numQueryTokens}.`);
  }
  await readJson(checkpointDir, 'tokenizer.json', true);
  const hasTokenizerConfig = (await readJson(checkpointDir, 'tokenizer_config.json', false)) !== undefined;
  const checkpoint = await openCheckpoint(checkpointDir);

  checkFormatForFamily(config.family, format);
  const family = buildFamily(config);
  const refs = new Map<string, WeightRef>();
  for (const graph of family.graphs) for (const [name, ref] of graph.builder.weights) refs.set(name, ref);
  checkWeights(refs.values(), checkpoint);
  // The format decides how each tensor is stored (and rewrites the graphs to read it); one checkpoint tensor may be
  // stored in two encodings (OPT's tied embedding: a float16 table and an int4 lm_head), each once per bundle.
  const policy = weightPolicy(format);
  const stored = new Map<string, StoredWeight>();
  for (const graph of family.graphs) {
    graph.builder.applyWeightPolicy(policy);
    for (const entry of graph.builder.storedWeights()) stored.set(entry.key, entry);
  }
  // Both encodings of a tensor are written from one read of it.
  const byTensor = new Map<string, StoredWeight[]>();
  for (const entry of stored.values()) byTensor.set(entry.checkpointName, [...(byTensor.get(entry.checkpointName) ?? []), entry]);
  const totalBytes = [...byTensor.values()].reduce((sum, entries) => sum + elementCount(entries[0].shape) * 4, 0);
  await ensureOutputFree(outDir);

  await mkdir(dirname(outDir), { recursive: true });
  const tempDir = join(dirname(outDir), `.${basename(outDir)}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(tempDir);
  try {
    const locations = new Map<string, WeightLocation>();
    const writer = await WeightFileWriter.create(join(tempDir, weightsFile), weightsFile);
    let fileBytes: number;
    let tensorBytes = 0;
    try {
      let doneBytes = 0;
      for (const [name, entries] of byTensor) {
        const data = await readTensorFloat32(checkpoint.tensors.get(name)!);
        for (const entry of entries) {
          for (const { part, bytes } of encodeWeight(data, entry)) {
            locations.set(partKey(entry.key, part), await writer.append(bytes));
            tensorBytes += bytes.byteLength;
          }
        }
        doneBytes += data.byteLength;
        options.onProgress?.({ doneBytes, totalBytes, tensor: name });
      }
    } finally {
      fileBytes = writer.bytesWritten;
      await writer.close();
    }
    for (const graph of family.graphs) {
      await writeFile(join(tempDir, formatFileName(graph.stem, format, 'onnx')), encodeModel(graph.builder.build(locations, weightsFile, OPSET)));
    }
    await copyFile(join(checkpointDir, 'tokenizer.json'), join(tempDir, 'tokenizer.json'));
    if (hasTokenizerConfig) await copyFile(join(checkpointDir, 'tokenizer_config.json'), join(tempDir, 'tokenizer_config.json'));
    const manifest = buildManifest(family, format, preprocessorJson, hasTokenizerConfig, { file: weightsFile, tensorBytes, fileBytes });
    await writeFile(join(tempDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(outDir, { recursive: true, force: true });
    await rename(tempDir, outDir);
    return { outDir, manifest, weightBytes: tensorBytes, tensorCount: stored.size };
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}
