/**
 * Reads single tensors out of safetensors files located by `openCheckpoint` (./checkpoint-files.ts), with positioned
 * reads: the file is never loaded whole, and only the requested tensor is resident. Non-F32 data is converted to
 * float32 chunk by chunk, so the peak is the float32 result plus one small staging buffer.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { GlanceError, ErrorCode } from '../errors.ts';
import type { TensorInfo } from './checkpoint-files.ts';
import { halfBitsToFloat } from './quantize/half-float.ts';

/** Staging buffer size for converted dtypes and the largest single read (fs reads are capped near 2 GiB). */
const CHUNK_BYTES = 8 << 20;

/** Typed-array views below reinterpret little-endian file bytes in host order. */
const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/** Raw bytes of a tensor (any dtype), exactly `info.byteLength` of them. */
export async function readTensorBytes(info: TensorInfo): Promise<Uint8Array> {
  const out = new Uint8Array(info.byteLength);
  await withFile(info, (fh) => readFully(fh, info, out, 0, info.byteLength));
  return out;
}

/** One tensor as float32 (F16/BF16 exactly, F64 and integers rounded to nearest float32, BOOL as 0/1). */
export async function readTensorFloat32(info: TensorInfo): Promise<Float32Array> {
  if (!HOST_IS_LITTLE_ENDIAN) {
    throw new GlanceError(ErrorCode.RuntimeFailure, 'Reading safetensors as float32 needs a little-endian host.');
  }
  const count = elementCount(info);
  const out = new Float32Array(count);
  if (info.dtype === 'F32') {
    await withFile(info, (fh) => readFully(fh, info, new Uint8Array(out.buffer), 0, info.byteLength));
    return out;
  }
  const size = info.byteLength / Math.max(count, 1);
  const stage = new Uint8Array(new ArrayBuffer(Math.min(CHUNK_BYTES, Math.max(info.byteLength, 8))));
  const perChunk = Math.floor(stage.byteLength / size);
  await withFile(info, async (fh) => {
    for (let first = 0; first < count; first += perChunk) {
      const n = Math.min(perChunk, count - first);
      await readFully(fh, info, stage, first * size, n * size);
      convertChunk(info.dtype, stage.buffer, n, out, first);
    }
  });
  return out;
}

/** Throws CheckpointShapeMismatch unless `info.shape` equals `expected`. */
export function expectShape(info: TensorInfo, expected: readonly number[]): void {
  const actual = info.shape;
  if (actual.length === expected.length && actual.every((d, i) => d === expected[i])) return;
  throw new GlanceError(
    ErrorCode.CheckpointShapeMismatch,
    `Tensor "${info.name}" in ${info.file} has shape [${actual.join(', ')}] but [${expected.join(', ')}] was expected. ` +
      'The checkpoint does not match its config.json; check that both come from the same model.',
    { tensor: info.name, file: info.file, expected: [...expected], actual: [...actual] },
  );
}

let halfTable: Float32Array | undefined;

function halfLookup(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToFloat(h);
  }
  return halfTable;
}

function convertChunk(dtype: TensorInfo['dtype'], src: ArrayBuffer, n: number, out: Float32Array, at: number): void {
  switch (dtype) {
    case 'F16': {
      const table = halfLookup();
      const h = new Uint16Array(src, 0, n);
      for (let i = 0; i < n; i++) out[at + i] = table[h[i]];
      return;
    }
    case 'BF16': {
      const h = new Uint16Array(src, 0, n);
      const bits = new Uint32Array(out.buffer, out.byteOffset + at * 4, n);
      for (let i = 0; i < n; i++) bits[i] = h[i] << 16;
      return;
    }
    case 'F64': out.set(new Float64Array(src, 0, n), at); return;
    case 'I64': { const v = new BigInt64Array(src, 0, n); for (let i = 0; i < n; i++) out[at + i] = Number(v[i]); return; }
    case 'I32': out.set(new Int32Array(src, 0, n), at); return;
    case 'I16': out.set(new Int16Array(src, 0, n), at); return;
    case 'I8': out.set(new Int8Array(src, 0, n), at); return;
    case 'U8': out.set(new Uint8Array(src, 0, n), at); return;
    case 'BOOL': { const v = new Uint8Array(src, 0, n); for (let i = 0; i < n; i++) out[at + i] = v[i] ? 1 : 0; return; }
    case 'F32': out.set(new Float32Array(src, 0, n), at); return;
  }
}

function elementCount(info: TensorInfo): number {
  return info.shape.reduce((a, b) => a * b, 1);
}

async function withFile<T>(info: TensorInfo, body: (fh: FileHandle) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(info.file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GlanceError(ErrorCode.CheckpointMissingFile,
        `Cannot read tensor "${info.name}": ${info.file} does not exist (any more). Restore the checkpoint files.`,
        { tensor: info.name, file: info.file });
    }
    throw err;
  }
  try {
    return await body(fh);
  } finally {
    await fh.close();
  }
}

/** Reads `length` bytes of the tensor starting `from` bytes into it, into `into[0..length)`; short data → CheckpointCorrupt. */
async function readFully(fh: FileHandle, info: TensorInfo, into: Uint8Array, from: number, length: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const want = Math.min(length - done, 1 << 30);
    const position = info.offset + from + done;
    const { bytesRead } = await fh.read(into, done, want, position);
    if (bytesRead === 0) {
      throw new GlanceError(
        ErrorCode.CheckpointCorrupt,
        `Tensor "${info.name}" in ${info.file} is truncated: it should occupy file bytes [${info.offset}, ` +
          `${info.offset + info.byteLength}) but the file ends at byte ${position}. Re-download or re-export the checkpoint.`,
        { tensor: info.name, file: info.file, offset: info.offset, byteLength: info.byteLength, endOfFile: position },
      );
    }
    done += bytesRead;
  }
}
