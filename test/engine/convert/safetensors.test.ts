/**
 * Safetensors I/O: opening the real tiny fixtures, float conversion (F16/BF16 both ways), writer → reader round trips
 * (single file, chunked fill, sharded with index) and one test per kind of bad checkpoint with its error code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { openCheckpoint, type TensorInfo } from '../../../engine/convert/checkpoint-files.ts';
import { expectShape, readTensorBytes, readTensorFloat32 } from '../../../engine/convert/safetensors-reader.ts';
import { halfBitsToFloat as halfToFloat } from '../../../engine/convert/quantize/half-float.ts';
import {
  floatToBfloat16, floatToHalf, writeSafetensors, writeShardedSafetensors, type TensorSpec,
} from '../../../engine/convert/safetensors-writer.ts';

const fixtures = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url));
const optDir = join(fixtures, 'tiny-blip2-opt');

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'glance-safetensors-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function expectCode(promise: Promise<unknown>, code: string, ...patterns: RegExp[]): Promise<GlanceError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GlanceError);
  const g = err as GlanceError;
  expect(g.code).toBe(code);
  for (const p of patterns) expect(g.message).toMatch(p);
  return g;
}

/** A hand-built safetensors file: 8-byte length (may lie via `claimedLength`), header text, then `dataBytes` bytes. */
function rawFile(header: unknown, dataBytes: number, claimedLength?: number): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(claimedLength ?? json.byteLength));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
}

async function dirWith(files: Record<string, Buffer | string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** Independent parse: reads the whole file and decodes float32 values with a DataView. */
async function independentF32(file: string, name: string): Promise<number[]> {
  const buf = await readFile(file);
  const n = Number(buf.readBigUInt64LE(0));
  const entry = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'))[name];
  const [begin, end] = entry.data_offsets as [number, number];
  const view = new DataView(buf.buffer, buf.byteOffset + 8 + n + begin, end - begin);
  return Array.from({ length: (end - begin) / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** Independent binary16 decoding: build the float32 bit pattern (normals) or scale the integer mantissa (subnormals). */
function referenceHalf(h: number): number {
  const sign = h >> 15;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return (sign ? -1 : 1) * mant / 16777216;
  const bits = new Uint32Array(1);
  bits[0] = exp === 0x1f ? (sign << 31) | 0x7f800000 | (mant << 13) : (sign << 31) | ((exp - 15 + 127) << 23) | (mant << 13);
  return new Float32Array(bits.buffer)[0];
}

describe('openCheckpoint on the tiny fixtures', () => {
  it('lists every tensor of tiny-blip2-opt with its shape, file and offsets', async () => {
    const ckpt = await openCheckpoint(optDir);
    // The header has 114 keys: 113 tensors plus "__metadata__".
    expect(ckpt.tensors.size).toBe(113);
    expect(ckpt.dir).toBe(optDir.replace(/\/$/, ''));
    expect(ckpt.metadata).toEqual({ format: 'pt' });
    const get = (n: string) => ckpt.tensors.get(n)!;
    expect(get('language_model.model.decoder.embed_tokens.weight').shape).toEqual([50272, 32]);
    expect(get('vision_model.embeddings.patch_embedding.weight').shape).toEqual([32, 3, 14, 14]);
    expect(get('query_tokens').shape).toEqual([1, 32, 32]);
    const embed = get('language_model.model.decoder.embed_tokens.weight');
    expect(embed).toMatchObject({ dtype: 'F32', file: join(optDir, 'model.safetensors'), byteLength: 50272 * 32 * 4 });
    const headerLength = Number((await readFile(embed.file)).readBigUInt64LE(0));
    expect(embed.offset).toBe(8 + headerLength + 262400);
    const size = (await readFile(embed.file)).byteLength;
    expect(ckpt.totalBytes).toBe(size - 8 - headerLength);
  });

  it('opens the T5 and ITM fixtures too', async () => {
    expect((await openCheckpoint(join(fixtures, 'tiny-blip2-t5'))).tensors.size).toBe(129);
    expect((await openCheckpoint(join(fixtures, 'tiny-blip2-itm'))).tensors.size).toBe(95);
  });

  it('reads float32 values that match an independent parse of the same bytes', async () => {
    const ckpt = await openCheckpoint(optDir);
    for (const name of ['query_tokens', 'vision_model.embeddings.patch_embedding.weight', 'language_model.model.decoder.embed_tokens.weight']) {
      const info = ckpt.tensors.get(name)!;
      const values = await readTensorFloat32(info);
      const reference = await independentF32(info.file, name);
      expect(values.length).toBe(reference.length);
      expect([values[0], values[1], values[7], values[values.length - 1]]).toEqual(
        [reference[0], reference[1], reference[7], reference[reference.length - 1]]);
      const mismatch = reference.findIndex((r, i) => !Object.is(r, values[i]));
      expect({ name, mismatch }).toEqual({ name, mismatch: -1 });
      expect(values.some((v) => v !== 0)).toBe(true);
    }
    const q = ckpt.tensors.get('query_tokens')!;
    const bytes = await readTensorBytes(q);
    const whole = await readFile(q.file);
    expect(Buffer.from(bytes).equals(whole.subarray(q.offset, q.offset + q.byteLength))).toBe(true);
  });

  it('accepts a lone model-00001-of-00001.safetensors', async () => {
    const dir = await tempDir();
    await copyFile(join(fixtures, 'tiny-blip2-itm', 'model.safetensors'), join(dir, 'model-00001-of-00001.safetensors'));
    const ckpt = await openCheckpoint(dir);
    expect(ckpt.tensors.size).toBe(95);
    expect(ckpt.tensors.get('query_tokens')!.file).toBe(join(dir, 'model-00001-of-00001.safetensors'));
  });
});

describe('half and bfloat16 conversion', () => {
  it('decodes hand-picked binary16 values', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(halfToFloat(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(halfToFloat(0x0400)).toBe(2 ** -14); // smallest normal
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0xfc01)).toBeNaN();
  });

  it('decodes all 65536 binary16 patterns like an independent decoder, and encodes them back', () => {
    for (let h = 0; h < 65536; h++) {
      const v = halfToFloat(h);
      const ref = referenceHalf(h);
      if (Number.isNaN(ref)) {
        expect(v).toBeNaN();
        expect(floatToHalf(v) & 0x7c00).toBe(0x7c00);
        expect(floatToHalf(v) & 0x3ff).not.toBe(0);
      } else {
        if (!Object.is(v, ref)) expect(v).toBe(ref); // reports the failing pattern
        if (floatToHalf(v) !== h) expect([h, floatToHalf(v)]).toEqual([h, h]);
      }
    }
  });

  it('rounds float32 → binary16 to nearest even, with overflow and underflow', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(65519)).toBe(0x7bff);
    expect(floatToHalf(65520)).toBe(0x7c00); // rounds to Infinity
    expect(floatToHalf(1e10)).toBe(0x7c00);
    expect(floatToHalf(-1e10)).toBe(0xfc00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // tie → even (zero)
    expect(floatToHalf(1.5 * 2 ** -25)).toBe(0x0001);
    expect(floatToHalf(3 * 2 ** -25)).toBe(0x0002); // tie → even (up)
    expect(floatToHalf(1e-10)).toBe(0x0000);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(2 ** -14 - 2 ** -25)).toBe(0x0400); // largest subnormal + half ulp rounds up into the normals
  });

  it('rounds float32 → bfloat16 to nearest even', () => {
    expect(floatToBfloat16(1)).toBe(0x3f80);
    expect(floatToBfloat16(-2)).toBe(0xc000);
    expect(floatToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(floatToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even (up)
    expect(floatToBfloat16(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(floatToBfloat16(Infinity)).toBe(0x7f80);
    expect(floatToBfloat16(-Infinity)).toBe(0xff80);
    expect(floatToBfloat16(3.4028234663852886e38)).toBe(0x7f80); // max float32 rounds to Infinity
    expect(floatToBfloat16(-0)).toBe(0x8000);
    expect(floatToBfloat16(NaN) & 0x7fc0).toBe(0x7fc0);
    expect(floatToBfloat16(2 ** -133)).toBe(0x0001); // float32 subnormal survives
  });
});

describe('writer → reader round trip', () => {
  const special = [0, -0, 1, -2.5, 65504, 65520, 1e-8, 2 ** -24, 2 ** -20, 1023 * 2 ** -24, Infinity, -Infinity, NaN, 0.1, 3.14159];
  const f16Expected = [0, -0, 1, -2.5, 65504, Infinity, 0, 2 ** -24, 2 ** -20, 1023 * 2 ** -24, Infinity, -Infinity, NaN, 0.0999755859375, 3.140625];
  const bf16Expected = [0, -0, 1, -2.5, 65536, 65536, 1.0011717677116394e-8, 2 ** -24, 2 ** -20, 2 ** -14, Infinity, -Infinity, NaN, 0.10009765625, 3.140625];

  it('round-trips F32 exactly and F16/BF16 to the hand-computed roundings', async () => {
    const dir = await tempDir();
    const data = Float32Array.from(special);
    const specs: TensorSpec[] = [
      { name: 'a.f32', dtype: 'F32', shape: [3, 5] },
      { name: 'b.f16', dtype: 'F16', shape: [15] },
      { name: 'c.bf16', dtype: 'BF16', shape: [5, 3, 1] },
      { name: 'd.empty', dtype: 'F32', shape: [0, 4] },
    ];
    const file = join(dir, 'model.safetensors');
    await writeSafetensors(file, specs, (name) => (name === 'd.empty' ? new Float32Array(0) : data), { format: 'pt', note: 'x' });
    const ckpt = await openCheckpoint(dir);
    expect(ckpt.metadata).toEqual({ format: 'pt', note: 'x' });
    expect(ckpt.totalBytes).toBe(15 * 4 + 15 * 2 + 15 * 2);
    const read = async (n: string) => Array.from(await readTensorFloat32(ckpt.tensors.get(n)!));
    expect(await read('a.f32')).toEqual(Array.from(data));
    expect(await independentF32(file, 'a.f32')).toEqual(Array.from(data)); // the writer's layout, parsed without our reader
    expect(await read('b.f16')).toEqual(f16Expected);
    expect(await read('c.bf16')).toEqual(bf16Expected);
    expect(await read('d.empty')).toEqual([]);
    expect(Object.is((await read('b.f16'))[1], -0)).toBe(true);
    expect(Object.is((await read('c.bf16'))[1], -0)).toBe(true);
    const f16 = ckpt.tensors.get('b.f16')!;
    expect(f16.shape).toEqual([15]);
    const bits = new Uint16Array((await readTensorBytes(f16)).buffer);
    expect([bits[0], bits[1], bits[2], bits[7], bits[10]]).toEqual([0x0000, 0x8000, 0x3c00, 0x0001, 0x7c00]);
    // The header is padded to a multiple of 8 bytes, so F32 data stays aligned.
    expect(Number((await readFile(file)).readBigUInt64LE(0)) % 8).toBe(0);
  });

  it('streams a tensor supplied in chunks and converts multi-chunk F16/BF16 reads', async () => {
    const dir = await tempDir();
    const n = 5_000_000; // 10 MB as F16: larger than the reader's 8 MiB staging buffer
    const value = (i: number) => ((i % 511) - 255) / 16; // 8 significant bits: exact in F16 and BF16
    function* chunks(): Generator<Float32Array> {
      for (let start = 0; start < n; start += 1_300_000) {
        const len = Math.min(1_300_000, n - start);
        yield Float32Array.from({ length: len }, (_, k) => value(start + k));
      }
    }
    const specs: TensorSpec[] = [{ name: 'big.f16', dtype: 'F16', shape: [n] }, { name: 'big.bf16', dtype: 'BF16', shape: [1000, n / 1000] }];
    await writeSafetensors(join(dir, 'model.safetensors'), specs, async () => chunks());
    const ckpt = await openCheckpoint(dir);
    for (const name of ['big.f16', 'big.bf16']) {
      const out = await readTensorFloat32(ckpt.tensors.get(name)!);
      expect(out.length).toBe(n);
      let bad = -1;
      for (let i = 0; i < n; i++) if (out[i] !== value(i)) { bad = i; break; }
      expect({ name, bad }).toEqual({ name, bad: -1 });
    }
  });

  it('rejects fill data of the wrong length and leaves no file behind', async () => {
    const dir = await tempDir();
    const file = join(dir, 'model.safetensors');
    const specs: TensorSpec[] = [{ name: 'w', dtype: 'F32', shape: [2, 3] }];
    await expectCode(writeSafetensors(file, specs, () => new Float32Array(5)), ErrorCode.InvalidInput, /"w".*6 values but 5/);
    await expectCode(writeSafetensors(file, specs, () => [new Float32Array(4), new Float32Array(4)]), ErrorCode.InvalidInput, /more/);
    await expectCode(writeSafetensors(file, [...specs, { name: 'w', dtype: 'F16', shape: [1] }], () => new Float32Array(6)),
      ErrorCode.InvalidInput, /declared twice/);
    await expectCode(openCheckpoint(dir), ErrorCode.CheckpointMissingFile);
  });

  it('writes a sharded checkpoint with an index and reads it back', async () => {
    const dir = await tempDir();
    const specs: TensorSpec[] = [
      { name: 'l0.w', dtype: 'F32', shape: [4, 4] }, // 64 B
      { name: 'l0.b', dtype: 'F16', shape: [4] }, // 8 B
      { name: 'l1.w', dtype: 'BF16', shape: [10, 10] }, // 200 B: bigger than a shard, gets its own
      { name: 'l1.b', dtype: 'F32', shape: [4] }, // 16 B
      { name: 'head', dtype: 'F32', shape: [8] }, // 32 B
    ];
    const fills: number[] = [];
    const values = (index: number, count: number) => Float32Array.from({ length: count }, (_, k) => index * 16 + k / 4); // exact in BF16 too
    const shards = await writeShardedSafetensors(dir, specs, (_name, index) => {
      fills.push(index);
      return values(index, specs[index].shape.reduce((a, b) => a * b, 1));
    }, 100);
    expect(shards).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
    expect(fills).toEqual([0, 1, 2, 3, 4]);
    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index.metadata.total_size).toBe(64 + 8 + 200 + 16 + 32);
    expect(index.weight_map).toEqual({
      'head': shards[2], 'l0.b': shards[0], 'l0.w': shards[0], 'l1.b': shards[2], 'l1.w': shards[1],
    });
    const ckpt = await openCheckpoint(dir);
    expect(ckpt.tensors.size).toBe(5);
    expect(ckpt.totalBytes).toBe(320);
    expect(ckpt.metadata).toEqual({ format: 'pt', total_size: '320' });
    for (const [i, spec] of specs.entries()) {
      const info = ckpt.tensors.get(spec.name)!;
      expect(info.file).toBe(join(dir, index.weight_map[spec.name]));
      expect(info.shape).toEqual(spec.shape);
      expect(await readTensorFloat32(info)).toEqual(values(i, info.shape.reduce((a, b) => a * b, 1)));
    }
  });
});

describe('bad checkpoints', () => {
  const okHeader = { __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } };

  it('missing directory, or no model file in it → CheckpointMissingFile', async () => {
    await expectCode(openCheckpoint(join(tmpdir(), 'glance-no-such-dir-9f3a')), ErrorCode.CheckpointMissingFile, /glance-no-such-dir-9f3a/);
    const empty = await tempDir();
    await expectCode(openCheckpoint(empty), ErrorCode.CheckpointMissingFile, /model\.safetensors does not exist/);
    const shardsOnly = await dirWith({ 'model-00001-of-00002.safetensors': rawFile(okHeader, 16) });
    await expectCode(openCheckpoint(shardsOnly), ErrorCode.CheckpointMissingFile, /model\.safetensors\.index\.json/, /no shard index/);
  });

  it('a shard named in the index is missing → CheckpointMissingFile naming it', async () => {
    const dir = await dirWith({
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: { w: 'model-00001-of-00002.safetensors', v: 'model-00002-of-00002.safetensors' } }),
      'model-00001-of-00002.safetensors': rawFile(okHeader, 16),
    });
    await expectCode(openCheckpoint(dir), ErrorCode.CheckpointMissingFile, /model-00002-of-00002\.safetensors/, /"v"/);
    const none = await dirWith({
      'model.safetensors.index.json': JSON.stringify({ weight_map: { w: 'model-00001-of-00002.safetensors', v: 'model-00002-of-00002.safetensors' } }),
    });
    const err = await expectCode(openCheckpoint(none), ErrorCode.CheckpointMissingFile, /2 of 2 shards are missing/);
    expect(err.details).toMatchObject({ missingShards: ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'] });
  });

  it('index and shard headers disagree → CheckpointCorrupt', async () => {
    const shard = 'model-00001-of-00001.safetensors';
    const notInShard = await dirWith({
      'model.safetensors.index.json': JSON.stringify({ weight_map: { w: shard, extra: shard } }), [shard]: rawFile(okHeader, 16),
    });
    await expectCode(openCheckpoint(notInShard), ErrorCode.CheckpointCorrupt, /"extra"/, /does not list it/);
    const notInIndex = await dirWith({
      'model.safetensors.index.json': JSON.stringify({ weight_map: { w: shard } }),
      [shard]: rawFile({ ...okHeader, v: { dtype: 'F32', shape: [1], data_offsets: [16, 20] } }, 20),
    });
    await expectCode(openCheckpoint(notInIndex), ErrorCode.CheckpointCorrupt, /"v"/, /does not list/);
    const badIndex = await dirWith({ 'model.safetensors.index.json': '{"weight_map": ', [shard]: rawFile(okHeader, 16) });
    await expectCode(openCheckpoint(badIndex), ErrorCode.CheckpointCorrupt, /index\.json/, /not valid JSON/);
  });

  it('header length larger than the file → CheckpointCorrupt', async () => {
    const dir = await dirWith({ 'model.safetensors': rawFile(okHeader, 16, 1_000_000) });
    await expectCode(openCheckpoint(dir), ErrorCode.CheckpointCorrupt, /model\.safetensors/, /1000000 bytes/);
    const tiny = await dirWith({ 'model.safetensors': Buffer.from([1, 2, 3]) });
    await expectCode(openCheckpoint(tiny), ErrorCode.CheckpointCorrupt, /3 bytes/);
  });

  it('header not JSON → CheckpointCorrupt', async () => {
    const dir = await dirWith({ 'model.safetensors': rawFile('{"w": {"dtype": "F32", ', 16) });
    await expectCode(openCheckpoint(dir), ErrorCode.CheckpointCorrupt, /not valid UTF-8 JSON/);
    const arr = await dirWith({ 'model.safetensors': rawFile([1, 2], 0) });
    await expectCode(openCheckpoint(arr), ErrorCode.CheckpointCorrupt, /not an object/);
  });

  it('unknown dtype → CheckpointCorrupt naming tensor and dtype', async () => {
    const dir = await dirWith({ 'model.safetensors': rawFile({ w: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, 4) });
    await expectCode(openCheckpoint(dir), ErrorCode.CheckpointCorrupt, /"w"/, /F8_E4M3/);
  });

  it('shape × dtype size disagreeing with data_offsets → CheckpointCorrupt', async () => {
    const dir = await dirWith({ 'model.safetensors': rawFile({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, 16) });
    await expectCode(openCheckpoint(dir), ErrorCode.CheckpointCorrupt, /"w"/, /needs 24 bytes/, /\[0, 16\]/);
    const badShape = await dirWith({ 'model.safetensors': rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4) });
    await expectCode(openCheckpoint(badShape), ErrorCode.CheckpointCorrupt, /shape/);
    const reversed = await dirWith({ 'model.safetensors': rawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, 8) });
    await expectCode(openCheckpoint(reversed), ErrorCode.CheckpointCorrupt, /data_offsets/);
  });

  it('overlapping data_offsets → CheckpointCorrupt naming both tensors', async () => {
    const dir = await dirWith({
      'model.safetensors': rawFile({
        a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
        b: { dtype: 'F32', shape: [2], data_offsets: [12, 20] },
      }, 20),
    });
    await expectCode(openCheckpoint(dir), ErrorCode.CheckpointCorrupt, /"a" \[0, 16\]/, /"b" \[12, 20\]/, /overlapping/);
  });

  it('truncated tensor data → CheckpointCorrupt at open, and at read if the file shrinks later', async () => {
    const dir = await tempDir();
    const file = join(dir, 'model.safetensors');
    await copyFile(join(optDir, 'model.safetensors'), file);
    const size = (await readFile(file)).byteLength;
    await truncate(file, size - 100);
    const cut = await expectCode(openCheckpoint(dir), ErrorCode.CheckpointCorrupt, /truncated/, new RegExp(`a ${size}-byte file`),
      new RegExp(`file is ${size - 100} bytes`));
    expect(cut.details).toMatchObject({ fileSize: size - 100, expectedFileSize: size });
    expect(typeof cut.details!.tensor).toBe('string');

    await copyFile(join(optDir, 'model.safetensors'), file);
    const ckpt = await openCheckpoint(dir);
    const last = [...ckpt.tensors.values()].reduce((a, b) => (b.offset > a.offset ? b : a));
    await truncate(file, last.offset + 10);
    const err = await expectCode(readTensorFloat32(last), ErrorCode.CheckpointCorrupt, new RegExp(`"${last.name.replace(/\./g, '\\.')}"`), /truncated/);
    expect(err.details).toMatchObject({ offset: last.offset, endOfFile: last.offset + 10 });
    await expectCode(readTensorBytes(last), ErrorCode.CheckpointCorrupt, /truncated/);
  });

  it('expectShape passes on a match and throws CheckpointShapeMismatch otherwise', async () => {
    const ckpt = await openCheckpoint(optDir);
    const info: TensorInfo = ckpt.tensors.get('query_tokens')!;
    expect(() => expectShape(info, [1, 32, 32])).not.toThrow();
    let err: unknown;
    try {
      expectShape(info, [1, 32, 64]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GlanceError);
    expect((err as GlanceError).code).toBe(ErrorCode.CheckpointShapeMismatch);
    expect((err as GlanceError).message).toMatch(/"query_tokens".*\[1, 32, 32\].*\[1, 32, 64\]/);
    expect((err as GlanceError).details).toMatchObject({ tensor: 'query_tokens', expected: [1, 32, 64], actual: [1, 32, 32] });
    expect(() => expectShape(info, [32, 32])).toThrow(GlanceError);
  });
});
