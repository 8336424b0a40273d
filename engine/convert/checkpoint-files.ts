/**
 * Finds and validates the safetensors files of a Hugging Face checkpoint directory without loading any tensor data:
 * `model.safetensors`, or `model.safetensors.index.json` plus its shards, or a lone `model-00001-of-00001.safetensors`.
 * Only headers are read (positioned reads); every header is checked against its file so that later tensor reads can
 * trust `TensorInfo.offset` / `byteLength`. Bad input fails with CheckpointMissingFile or CheckpointCorrupt, naming the
 * file, the tensor and the offsets involved.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { GlanceError, ErrorCode } from '../errors.ts';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each supported dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute path of the file holding the tensor. */
  file: string;
  /** Absolute byte offset of the tensor's first byte in `file`. */
  offset: number;
  byteLength: number;
}

export interface CheckpointIndex {
  /** Absolute path of the checkpoint directory. */
  dir: string;
  tensors: Map<string, TensorInfo>;
  /** Sum of all tensors' byteLength. */
  totalBytes: number;
  /** `__metadata__` of the file(s), overlaid by the index's `metadata` (values stringified). */
  metadata: Record<string, string>;
}

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
const LONE_SHARD = 'model-00001-of-00001.safetensors';
/** The safetensors reference implementation refuses headers above 100 MB; so do we, before allocating. */
const MAX_HEADER_BYTES = 100_000_000;

/** One parsed and validated safetensors file header. */
export interface SafetensorsHeader {
  file: string;
  fileSize: number;
  /** Absolute offset of the data section (8 + header length). */
  dataStart: number;
  metadata: Record<string, string>;
  tensors: TensorInfo[];
}

function corrupt(file: string, problem: string, details: Record<string, unknown> = {}): GlanceError {
  return new GlanceError(
    ErrorCode.CheckpointCorrupt,
    `Checkpoint file ${file} is corrupt: ${problem}. Re-download or re-export the checkpoint.`,
    { file, ...details },
  );
}

function missing(file: string, why: string, details: Record<string, unknown> = {}): GlanceError {
  return new GlanceError(ErrorCode.CheckpointMissingFile, `${why}: ${file} does not exist. ${
    'Download the complete checkpoint (all safetensors files and model.safetensors.index.json) into that directory.'}`,
  { file, ...details });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, value);
}

function isNonNegativeInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Reads and validates the header of one safetensors file (absolute path). Reads only the header bytes. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(file, 'Safetensors file not found');
    throw err;
  }
  try {
    const fileSize = (await handle.stat()).size;
    if (fileSize < 8) throw corrupt(file, `the file is ${fileSize} bytes, shorter than the 8-byte header length`, { fileSize });
    const lenBuf = Buffer.alloc(8);
    await handle.read(lenBuf, 0, 8, 0);
    const headerLength = lenBuf.readBigUInt64LE(0);
    if (headerLength > BigInt(fileSize - 8)) {
      throw corrupt(file, `the header length field says ${headerLength} bytes but only ${fileSize - 8} bytes follow it ` +
        '(not a safetensors file, or truncated)', { headerLength: headerLength.toString(), fileSize });
    }
    if (headerLength > BigInt(MAX_HEADER_BYTES)) {
      throw corrupt(file, `the header length field says ${headerLength} bytes, above the ${MAX_HEADER_BYTES}-byte limit`, {
        headerLength: headerLength.toString(), fileSize,
      });
    }
    const n = Number(headerLength);
    const headerBuf = Buffer.alloc(n);
    const { bytesRead } = await handle.read(headerBuf, 0, n, 8);
    if (bytesRead !== n) throw corrupt(file, `could read only ${bytesRead} of the ${n} header bytes`, { fileSize });
    return parseHeader(file, fileSize, headerBuf);
  } finally {
    await handle.close();
  }
}

function parseHeader(file: string, fileSize: number, headerBuf: Uint8Array): SafetensorsHeader {
  const dataStart = 8 + headerBuf.byteLength;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBuf));
  } catch (err) {
    throw corrupt(file, `the ${headerBuf.byteLength}-byte header is not valid UTF-8 JSON (${(err as Error).message})`, { fileSize });
  }
  if (!isPlainObject(json)) throw corrupt(file, 'the header is JSON but not an object', { fileSize });

  const metadata: Record<string, string> = {};
  const rawMeta = json.__metadata__;
  if (rawMeta !== undefined) {
    if (!isPlainObject(rawMeta)) throw corrupt(file, '"__metadata__" is not an object of strings');
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string') throw corrupt(file, `"__metadata__"."${k}" is not a string`);
      metadata[k] = v;
    }
  }

  const dataSize = fileSize - dataStart;
  const tensors: TensorInfo[] = [];
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') continue;
    if (!isPlainObject(entry)) throw corrupt(file, `tensor "${name}" has no {dtype, shape, data_offsets} entry`, { tensor: name });
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!isDtype(dtype)) {
      throw corrupt(file, `tensor "${name}" has dtype ${JSON.stringify(dtype)}, which is not supported ` +
        `(supported: ${Object.keys(DTYPE_BYTES).join(', ')})`, { tensor: name, dtype });
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
      throw corrupt(file, `tensor "${name}" has shape ${JSON.stringify(shape)}, not a list of non-negative integers`, { tensor: name });
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt) || offsets[0] > offsets[1]) {
      throw corrupt(file, `tensor "${name}" has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with begin <= end`, {
        tensor: name,
      });
    }
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const expectedBytes = elements * DTYPE_BYTES[dtype];
    if (!Number.isSafeInteger(expectedBytes) || expectedBytes !== end - begin) {
      throw corrupt(file, `tensor "${name}" (${dtype} ${JSON.stringify(shape)}) needs ${expectedBytes} bytes but its ` +
        `data_offsets [${begin}, ${end}] span ${end - begin} bytes`, { tensor: name, dtype, shape, dataOffsets: [begin, end] });
    }
    spans.push({ name, begin, end });
    tensors.push({ name, dtype, shape: shape as number[], file, offset: dataStart + begin, byteLength: end - begin });
  }

  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const cut = spans.find((span) => span.end > dataSize);
  if (cut) {
    const needed = spans.reduce((m, span) => Math.max(m, span.end), 0);
    throw corrupt(file, `the file is truncated: its header describes ${needed} data bytes (a ${dataStart + needed}-byte file) but ` +
      `the file is ${fileSize} bytes; tensor "${cut.name}" at data_offsets [${cut.begin}, ${cut.end}] is the first one cut off`, {
      tensor: cut.name, dataOffsets: [cut.begin, cut.end], fileSize, expectedFileSize: dataStart + needed, dataStart,
    });
  }
  let prev: { name: string; begin: number; end: number } | undefined;
  for (const span of spans) {
    if (span.begin === span.end) continue; // empty tensors occupy no bytes
    if (prev && span.begin < prev.end) {
      throw corrupt(file, `tensors "${prev.name}" [${prev.begin}, ${prev.end}] and "${span.name}" [${span.begin}, ${span.end}] ` +
        'have overlapping data_offsets', { tensors: [prev.name, span.name], dataOffsets: [[prev.begin, prev.end], [span.begin, span.end]] });
    }
    prev = span;
  }
  return { file, fileSize, dataStart, metadata, tensors };
}

/** Opens a checkpoint directory and validates every header (see the file comment). */
export async function openCheckpoint(dir: string): Promise<CheckpointIndex> {
  const root = resolve(dir);
  let dirStat;
  try {
    dirStat = await stat(root);
  } catch {
    throw missing(root, 'Checkpoint directory not found');
  }
  if (!dirStat.isDirectory()) {
    throw new GlanceError(ErrorCode.CheckpointMissingFile,
      `${root} is not a directory. Pass the checkpoint directory that holds ${SINGLE_FILE} or ${INDEX_FILE}.`, { file: root });
  }

  if (await isFile(join(root, SINGLE_FILE))) return fromSingleFile(root, join(root, SINGLE_FILE));
  if (await isFile(join(root, INDEX_FILE))) return fromIndex(root, join(root, INDEX_FILE));
  if (await isFile(join(root, LONE_SHARD))) return fromSingleFile(root, join(root, LONE_SHARD));

  const shards = (await readdir(root)).filter((f) => /^model-\d+-of-\d+\.safetensors$/.test(f));
  const why = shards.length > 0
    ? `Found shards (${shards.slice(0, 3).join(', ')}${shards.length > 3 ? ', ...' : ''}) but no shard index`
    : `No ${SINGLE_FILE} in the checkpoint directory`;
  throw missing(join(root, shards.length > 0 ? INDEX_FILE : SINGLE_FILE), why, { dir: root, lookedFor: [SINGLE_FILE, INDEX_FILE, LONE_SHARD] });
}

async function fromSingleFile(root: string, file: string): Promise<CheckpointIndex> {
  const header = await readSafetensorsHeader(file);
  const tensors = new Map<string, TensorInfo>();
  let totalBytes = 0;
  for (const t of header.tensors) {
    tensors.set(t.name, t);
    totalBytes += t.byteLength;
  }
  return { dir: root, tensors, totalBytes, metadata: { ...header.metadata } };
}

async function fromIndex(root: string, indexFile: string): Promise<CheckpointIndex> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexFile, 'utf8'));
  } catch (err) {
    throw corrupt(indexFile, `the shard index is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(json) || !isPlainObject(json.weight_map)) {
    throw corrupt(indexFile, 'the shard index has no "weight_map" object');
  }
  const weightMap = new Map(Object.entries(json.weight_map));
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of weightMap) {
    if (typeof shard !== 'string' || shard === '' || basename(shard) !== shard || shard === '.' || shard === '..') {
      throw corrupt(indexFile, `weight_map maps "${name}" to ${JSON.stringify(shard)}, not a file name in the checkpoint directory`, {
        tensor: name,
      });
    }
    const list = byShard.get(shard) ?? [];
    list.push(name);
    byShard.set(shard, list);
  }
  if (byShard.size === 0) throw corrupt(indexFile, 'the shard index\'s "weight_map" is empty');

  const shardNames = [...byShard.keys()].sort();
  const absent: string[] = [];
  for (const shard of shardNames) if (!(await isFile(join(root, shard)))) absent.push(shard);
  if (absent.length > 0) {
    const names = byShard.get(absent[0])!;
    const others = absent.length > 1 ? ` (${absent.length} of ${shardNames.length} shards are missing: ${absent.join(', ')})` : '';
    throw missing(join(root, absent[0]), `Shard ${absent[0]}, listed in ${INDEX_FILE} for ${names.length} tensor(s) ` +
      `(e.g. "${names[0]}"), is missing${others}`, { shard: absent[0], missingShards: absent, index: indexFile });
  }
  const headers = await Promise.all(shardNames.map((shard) => readSafetensorsHeader(join(root, shard))));

  const tensors = new Map<string, TensorInfo>();
  const metadata: Record<string, string> = {};
  let totalBytes = 0;
  for (let i = 0; i < shardNames.length; i++) {
    const shard = shardNames[i];
    const header = headers[i];
    Object.assign(metadata, header.metadata);
    const inShard = new Map(header.tensors.map((t) => [t.name, t]));
    for (const name of byShard.get(shard)!) {
      const info = inShard.get(name);
      if (!info) {
        throw corrupt(header.file, `${INDEX_FILE} says tensor "${name}" is in ${shard}, but that shard's header does not list it`, {
          tensor: name, shard,
        });
      }
      tensors.set(name, info);
      totalBytes += info.byteLength;
    }
    for (const t of header.tensors) {
      if (weightMap.get(t.name) !== shard) {
        const other = weightMap.get(t.name);
        throw corrupt(header.file, `shard ${shard} holds tensor "${t.name}", which ${INDEX_FILE} ` +
          (other === undefined ? 'does not list' : `maps to ${JSON.stringify(other)}`), { tensor: t.name, shard });
      }
    }
  }
  if (isPlainObject(json.metadata)) {
    for (const [k, v] of Object.entries(json.metadata)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return { dir: root, tensors, totalBytes, metadata };
}
