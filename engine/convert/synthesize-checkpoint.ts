/**
 * Writes a Hugging Face-layout BLIP-2 checkpoint with random weights for any config: the tensor list is exactly what
 * the converter's graphs ask of that config, values come from a seeded generator, and tensors stream to disk in
 * chunks, so multi-GB benchmark checkpoints (real widths, no real weights) need little memory.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveBlip2Config } from './blip2-config.ts';
import { buildFamily } from './families/model-family.ts';
import type { WeightRef } from './onnx/graph-builder.ts';
import { writeSafetensors, writeShardedSafetensors, type TensorSpec, type WritableDtype } from './safetensors-writer.ts';

/** Where the checkpoint's tokenizer comes from: a folder's files, copied, or files built in code (written as JSON). */
export type TokenizerSource =
  | {
      /** Folder whose tokenizer.json / tokenizer_config.json (if any) are copied. */
      tokenizerDir: string;
    }
  | {
      /** tokenizer.json and tokenizer_config.json contents. */
      tokenizer: { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> };
    };

export type SynthesizeOptions = TokenizerSource & {
  /** The parsed config.json to synthesize weights for. */
  config: Record<string, unknown>;
  /** preprocessor_config.json contents; its size is forced to the config's image size. */
  preprocessor: Record<string, unknown>;
  outDir: string;
  seed?: number;
  dtype?: WritableDtype;
  /** Shard the weights into files of at most this many bytes. */
  maxShardBytes?: number;
  onProgress?: (done: number, total: number) => void;
};

const CHUNK = 1 << 22;

/** mulberry32: a small, fast seeded generator; plenty for random weights. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The scale of each tensor's values: ~1/√fan_in for matrices, around 1 for norm weights, small for biases. */
function distribution(ref: WeightRef): { center: number; halfWidth: number } {
  const name = ref.checkpointName;
  const isNorm = /layer_?norm|LayerNorm|layernorm/.test(name);
  if (isNorm && name.endsWith('.weight')) return { center: 1, halfWidth: 0.2 };
  if (name.endsWith('.bias')) return { center: 0, halfWidth: 0.1 };
  if (/embed|query_tokens|class_embedding|position_embedding/.test(name)) return { center: 0, halfWidth: 0.8 };
  const fanIn = ref.shape.slice(1).reduce((a, b) => a * b, 1);
  return { center: 0, halfWidth: Math.sqrt(3 / fanIn) * 1.5 };
}

function* randomChunks(ref: WeightRef, random: () => number): Generator<Float32Array> {
  const total = ref.shape.reduce((a, b) => a * b, 1);
  const { center, halfWidth } = distribution(ref);
  for (let start = 0; start < total; start += CHUNK) {
    const chunk = new Float32Array(Math.min(CHUNK, total - start));
    for (let i = 0; i < chunk.length; i++) chunk[i] = center + (random() * 2 - 1) * halfWidth;
    yield chunk;
  }
}

/** Every tensor the converter reads for this config, with its shape. */
export function checkpointTensors(configJson: unknown): WeightRef[] {
  const config = resolveBlip2Config(configJson);
  const refs = new Map<string, WeightRef>();
  for (const graph of buildFamily(config).graphs) {
    for (const [name, ref] of graph.builder.weights) refs.set(name, ref);
  }
  return [...refs.values()];
}

async function writeTokenizer(source: TokenizerSource, outDir: string): Promise<void> {
  if ('tokenizer' in source) {
    await writeFile(join(outDir, 'tokenizer.json'), `${JSON.stringify(source.tokenizer.tokenizerJson)}\n`);
    await writeFile(join(outDir, 'tokenizer_config.json'), `${JSON.stringify(source.tokenizer.tokenizerConfig, null, 2)}\n`);
    return;
  }
  await copyFile(join(source.tokenizerDir, 'tokenizer.json'), join(outDir, 'tokenizer.json'));
  await copyFile(join(source.tokenizerDir, 'tokenizer_config.json'), join(outDir, 'tokenizer_config.json')).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

export async function synthesizeCheckpoint(options: SynthesizeOptions): Promise<{ tensors: number; parameters: number }> {
  const refs = checkpointTensors(options.config);
  const config = resolveBlip2Config(options.config);
  const dtype = options.dtype ?? 'F32';
  const specs: TensorSpec[] = refs.map((ref) => ({ name: ref.checkpointName, dtype, shape: ref.shape }));
  const random = mulberry32(options.seed ?? 1234);
  const parameters = refs.reduce((sum, ref) => sum + ref.shape.reduce((a, b) => a * b, 1), 0);
  let done = 0;
  const fill = (_name: string, index: number) => {
    const ref = refs[index];
    done += ref.shape.reduce((a, b) => a * b, 1);
    options.onProgress?.(done, parameters);
    return randomChunks(ref, random);
  };

  await mkdir(options.outDir, { recursive: true });
  if (options.maxShardBytes) await writeShardedSafetensors(options.outDir, specs, fill, options.maxShardBytes);
  else await writeSafetensors(join(options.outDir, 'model.safetensors'), specs, fill);

  const side = config.vision.imageSize;
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  await writeFile(join(options.outDir, 'config.json'), json(options.config));
  await writeFile(join(options.outDir, 'preprocessor_config.json'), json({ ...options.preprocessor, size: { height: side, width: side } }));
  await writeFile(join(options.outDir, 'processor_config.json'), json({ num_query_tokens: config.numQueryTokens, processor_class: 'Blip2Processor' }));
  // The retrieval family has no language model, so nothing to generate with.
  if (config.family !== 'blip2-itm') {
    await writeFile(join(options.outDir, 'generation_config.json'), json({ bos_token_id: config.text.bosTokenId, eos_token_id: config.text.eosTokenId, pad_token_id: config.text.padTokenId }));
  }
  await writeTokenizer(options, options.outDir);
  return { tensors: refs.length, parameters };
}
