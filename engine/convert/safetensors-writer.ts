/**
 * Streams safetensors files to disk: the caller declares every tensor (name, dtype, shape) up front so the header can be
 * written first, then supplies each tensor's float32 data in declaration order, whole or in chunks. Data is converted
 * (F16/BF16 with round-to-nearest-even) and written in bounded slices, so multi-GB checkpoints for tests and benchmarks
 * never need more memory than the largest chunk the caller hands over. Files are written to a temporary name and renamed
 * when complete, so an interrupted run never leaves a valid-looking partial file.
 */
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { endianness } from 'node:os';
import { GlanceError, ErrorCode } from '../errors.ts';
import { INDEX_FILE } from './checkpoint-files.ts';

export type WritableDtype = 'F32' | 'F16' | 'BF16';
export interface TensorSpec { name: string; dtype: WritableDtype; shape: number[] }
/** One tensor's float32 values: the whole array, or consecutive chunks (e.g. a generator) whose lengths add up to it. */
export type TensorData = Float32Array | Iterable<Float32Array> | AsyncIterable<Float32Array>;
/** Supplies tensor `index` of the declared list; called once per tensor, in declaration order. */
export type TensorFill = (name: string, index: number) => TensorData | Promise<TensorData>;

const WRITE_BYTES = 64 << 20;
const CONVERT_ELEMENTS = 1 << 20;
const BYTES: Record<WritableDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds a number to IEEE binary16 bits (round-to-nearest-even, overflow → ±Infinity, NaN stays NaN, subnormals kept). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  return f32BitsToHalf(u32[0]);
}

/** Rounds a number to bfloat16 bits (the upper half of float32, round-to-nearest-even, NaN stays NaN). */
export function floatToBfloat16(value: number): number {
  f32[0] = value;
  return f32BitsToBfloat16(u32[0]);
}

function f32BitsToHalf(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e >= 1) {
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++; // a carry may roll into the exponent, up to Infinity
    return sign | half;
  }
  const shift = 14 - e;
  if (shift > 24) return sign;
  const m = mant | 0x800000;
  let half = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (half & 1))) half++;
  return sign | half;
}

function f32BitsToBfloat16(u: number): number {
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff)) return (u >>> 16) | 0x40;
  return Math.floor((u + 0x7fff + ((u >>> 16) & 1)) / 0x10000) & 0xffff;
}

function invalid(message: string, details?: Record<string, unknown>): GlanceError {
  return new GlanceError(ErrorCode.InvalidInput, message, details);
}

function checkSpecs(tensors: readonly TensorSpec[]): number[] {
  const seen = new Set<string>();
  return tensors.map((t) => {
    if (typeof t.name !== 'string' || t.name === '' || t.name === '__metadata__') throw invalid(`Invalid tensor name ${JSON.stringify(t.name)}.`);
    if (seen.has(t.name)) throw invalid(`Tensor "${t.name}" is declared twice.`, { tensor: t.name });
    seen.add(t.name);
    if (!(t.dtype in BYTES)) throw invalid(`Tensor "${t.name}": dtype ${String(t.dtype)} cannot be written (use F32, F16 or BF16).`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw invalid(`Tensor "${t.name}": shape [${t.shape.join(', ')}] is not a list of non-negative integers.`, { tensor: t.name });
    }
    return t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
  });
}

/** Header bytes (8-byte length + JSON padded with spaces to a multiple of 8, as the reference implementation does). */
function headerBytes(tensors: readonly TensorSpec[], sizes: number[], metadata: Record<string, string>): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  tensors.forEach((t, i) => {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + sizes[i]] };
    offset += sizes[i];
  });
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return out;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await fh.write(bytes, done, Math.min(WRITE_BYTES, bytes.byteLength - done));
    done += bytesWritten;
  }
}

async function* chunksOf(data: TensorData): AsyncIterable<Float32Array> {
  if (data instanceof Float32Array) yield data;
  else yield* data as AsyncIterable<Float32Array>;
}

async function writeTensorData(fh: FileHandle, spec: TensorSpec, data: TensorData): Promise<void> {
  const expected = spec.shape.reduce((a, b) => a * b, 1);
  let written = 0;
  const staging = spec.dtype === 'F32' ? undefined : new Uint16Array(CONVERT_ELEMENTS);
  for await (const chunk of chunksOf(data)) {
    if (!(chunk instanceof Float32Array)) throw invalid(`Tensor "${spec.name}": data chunks must be Float32Arrays.`, { tensor: spec.name });
    if (written + chunk.length > expected) {
      throw invalid(`Tensor "${spec.name}" [${spec.shape.join(', ')}] takes ${expected} values but more were supplied.`, {
        tensor: spec.name, expected, supplied: written + chunk.length,
      });
    }
    if (!staging) {
      await writeAll(fh, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } else {
      const convert = spec.dtype === 'F16' ? f32BitsToHalf : f32BitsToBfloat16;
      for (let start = 0; start < chunk.length; start += CONVERT_ELEMENTS) {
        const n = Math.min(CONVERT_ELEMENTS, chunk.length - start);
        const bits = new Uint32Array(chunk.buffer, chunk.byteOffset + start * 4, n);
        for (let i = 0; i < n; i++) staging[i] = convert(bits[i]);
        await writeAll(fh, new Uint8Array(staging.buffer, 0, n * 2));
      }
    }
    written += chunk.length;
  }
  if (written !== expected) {
    throw invalid(`Tensor "${spec.name}" [${spec.shape.join(', ')}] takes ${expected} values but ${written} were supplied.`, {
      tensor: spec.name, expected, supplied: written,
    });
  }
}

async function writeFileOf(
  path: string, tensors: readonly TensorSpec[], sizes: number[], fill: TensorFill, firstIndex: number, metadata: Record<string, string>,
): Promise<void> {
  if (endianness() !== 'LE') throw new GlanceError(ErrorCode.RuntimeFailure, 'Writing safetensors needs a little-endian host.');
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.partial-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await writeAll(fh, headerBytes(tensors, sizes, metadata));
    for (let i = 0; i < tensors.length; i++) {
      await writeTensorData(fh, tensors[i], await fill(tensors[i].name, firstIndex + i));
    }
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes one safetensors file (metadata defaults to `{ format: 'pt' }`, which transformers expects). */
export async function writeSafetensors(
  path: string, tensors: TensorSpec[], fill: TensorFill, metadata: Record<string, string> = { format: 'pt' },
): Promise<void> {
  await writeFileOf(path, tensors, checkSpecs(tensors), fill, 0, metadata);
}

/**
 * Writes `model-0000i-of-0000n.safetensors` shards of at most `maxShardBytes` tensor bytes each (a tensor larger than that
 * gets a shard of its own), in declaration order, plus `model.safetensors.index.json`. Returns the shard file names.
 */
export async function writeShardedSafetensors(
  dir: string, tensors: TensorSpec[], fill: TensorFill, maxShardBytes: number, metadata: Record<string, string> = { format: 'pt' },
): Promise<string[]> {
  if (!(Number.isSafeInteger(maxShardBytes) && maxShardBytes > 0)) throw invalid(`maxShardBytes must be a positive integer, got ${maxShardBytes}.`);
  if (tensors.length === 0) throw invalid('A sharded checkpoint needs at least one tensor.');
  const sizes = checkSpecs(tensors);
  const groups: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  sizes.forEach((size, i) => {
    if (current.length > 0 && currentBytes + size > maxShardBytes) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(i);
    currentBytes += size;
  });
  groups.push(current);

  const pad = (n: number) => String(n).padStart(5, '0');
  const names = groups.map((_, i) => `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`);
  const weightMap: Record<string, string> = {};
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    await writeFileOf(join(dir, names[g]), group.map((i) => tensors[i]), group.map((i) => sizes[i]), fill, group[0], metadata);
    for (const i of group) weightMap[tensors[i].name] = names[g];
  }
  const sorted = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]]));
  const total = sizes.reduce((a, b) => a + b, 0);
  await writeFile(join(dir, INDEX_FILE), `${JSON.stringify({ metadata: { total_size: total }, weight_map: sorted }, null, 2)}\n`);
  return names;
}
