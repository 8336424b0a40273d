/**
 * Weight formats (fp16 / bf16 / int8 / int4): the option checks, the files and manifest a format writes, the graph
 * rewrite (MatMulNBits outside the Q-Former, float32 Q-Former), and the accuracy of each format against the
 * transformers goldens of the tiny OPT fixture (measured bounds with headroom; see docs/benchmarks.md for the table).
 * Flan-T5 is never float16: converting or opening an fp16 T5 bundle is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertCheckpoint } from '../../../engine/convert/convert-checkpoint.ts';
import { parseWeightFormat } from '../../../engine/convert/weight-format.ts';
import type { BundleDtype } from '../../../engine/bundle/weight-formats.ts';
import { decodeModel, ElemType } from '../../../engine/convert/onnx/onnx-proto.ts';
import { loadBundle } from '../../../engine/bundle/load-bundle.ts';
import { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { IMAGES, TINY_OPT, TINY_T5, editJsonFile, readJson } from '../../helpers/fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'glance-formats-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const codeOf = async (promise: Promise<unknown>) => ((await promise.then(() => undefined, (e) => e)) as { code?: string } | undefined)?.code;

describe('format options', () => {
  it('defaults to fp32 and fills the quantization defaults for int8/int4', () => {
    expect(parseWeightFormat({})).toEqual({ dtype: 'fp32' });
    expect(parseWeightFormat({ dtype: 'bf16' })).toEqual({ dtype: 'bf16' });
    expect(parseWeightFormat({ dtype: 'int4' })).toEqual({ dtype: 'int4', blockSize: 32, accuracyLevel: 4 });
    expect(parseWeightFormat({ dtype: 'int8', blockSize: '128', accuracyLevel: '0' })).toEqual({ dtype: 'int8', blockSize: 128, accuracyLevel: 0 });
  });

  it.each([
    ['an unknown dtype', { dtype: 'int3' }],
    ['an unknown dtype (case matters)', { dtype: 'FP16' }],
    ['a block size that is not a power of two', { dtype: 'int4', blockSize: '48' }],
    ['a block size below 16', { dtype: 'int4', blockSize: '8' }],
    ['a block size that is not a number', { dtype: 'int8', blockSize: 'big' }],
    ['an accuracy level above 4', { dtype: 'int4', accuracyLevel: '5' }],
    ['a negative accuracy level', { dtype: 'int8', accuracyLevel: '-1' }],
    ['a fractional accuracy level', { dtype: 'int8', accuracyLevel: '1.5' }],
    ['--block-size with fp32', { dtype: 'fp32', blockSize: '32' }],
    ['--block-size with fp16', { dtype: 'fp16', blockSize: '32' }],
    ['--accuracy-level with bf16', { dtype: 'bf16', accuracyLevel: '4' }],
    ['--accuracy-level with the default dtype', { accuracyLevel: '0' }],
  ])('refuses %s with INVALID_INPUT', (_, options) => {
    expect(() => parseWeightFormat(options)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('the converter refuses bad options before writing anything', async () => {
    expect(await codeOf(convertCheckpoint({ checkpointDir: TINY_OPT, outDir: join(work, 'bad'), dtype: 'int4', blockSize: 24 }))).toBe('INVALID_INPUT');
    expect(readdirSync(work)).not.toContain('bad');
  });

  it('glance convert prints the coded error and exits 1', async () => {
    const bin = fileURLToPath(new URL('../../../bin/glance.js', import.meta.url));
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, 'convert', TINY_OPT, '--out', join(work, 'cli'), '--dtype', 'fp16', '--block-size', '32'], (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr })),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^glance: error \[INVALID_INPUT\]: --block-size only applies to the quantized formats/);
  });
});

describe('Flan-T5 is never float16', () => {
  it('converting a T5 checkpoint with --dtype fp16 is refused', async () => {
    const failure = await convertCheckpoint({ checkpointDir: TINY_T5, outDir: join(work, 't5-fp16'), dtype: 'fp16' }).catch((e) => e);
    expect(failure.code).toBe('INVALID_INPUT');
    expect(failure.message).toMatch(/fp16 is not allowed for blip2-t5.*fp32 or bf16/);
  });

  it('opening a T5 bundle whose manifest says fp16 is refused (BUNDLE_INVALID)', async () => {
    const dir = join(work, 't5-bf16');
    await convertCheckpoint({ checkpointDir: TINY_T5, outDir: dir, dtype: 'bf16' });
    expect((await loadBundle(dir)).manifest.dtype).toBe('bf16');
    editJsonFile(join(dir, 'manifest.json'), (manifest) => (manifest.dtype = 'fp16'));
    const failure = await loadBundle(dir).catch((e) => e);
    expect(failure.code).toBe('BUNDLE_INVALID');
    expect(failure.message).toMatch(/cannot be fp16/);
  });
});

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const SUFFIX: Record<BundleDtype, string> = { fp32: '', fp16: '_fp16', bf16: '_bf16', int8: '_q8', int4: '_q4' };
const DTYPES: BundleDtype[] = ['fp32', 'fp16', 'bf16', 'int8', 'int4'];

describe('tiny OPT in every format', () => {
  const bundles = new Map<BundleDtype, string>();
  const deviation = new Map<BundleDtype, { maxDelta: number; top1: number }>();

  beforeAll(async () => {
    for (const dtype of DTYPES) {
      const dir = join(work, `opt-${dtype}`);
      await convertCheckpoint({ checkpointDir: TINY_OPT, outDir: dir, dtype });
      bundles.set(dtype, dir);
    }
  });

  it.each(DTYPES)('%s: file names carry the format suffix and the manifest records the format', async (dtype) => {
    const dir = bundles.get(dtype)!;
    const s = SUFFIX[dtype];
    expect(readdirSync(dir).sort()).toEqual([`decoder_with_past${s}.onnx`, `embed_tokens${s}.onnx`, 'manifest.json', 'tokenizer.json', 'tokenizer_config.json', `vision${s}.onnx`, `weights${s}.bin`].sort());
    const { manifest } = await loadBundle(dir);
    expect(manifest.dtype).toBe(dtype);
    expect(manifest.weights.file).toBe(`weights${s}.bin`);
    if (dtype === 'int4' || dtype === 'int8') expect(manifest.quantization).toEqual({ op: 'MatMulNBits', bits: dtype === 'int4' ? 4 : 8, blockSize: 32, accuracyLevel: 4, zeroPoints: true });
    else expect(manifest.quantization).toBeUndefined();
  });

  it('stored weights shrink as expected: 16-bit ≈ ½, int8 < 16-bit, int4 < int8 (the Q-Former stays float32)', async () => {
    const bytes = Object.fromEntries(await Promise.all(DTYPES.map(async (d) => [d, (await loadBundle(bundles.get(d)!)).manifest.weights.tensorBytes] as const)));
    // float32 Q-Former + query tokens of the tiny model (2 layers, width 32)
    const qformerBytes = 4 * (32 * 32 + (2 * (4 * (32 * 32 + 32) + 2 * 64 + 2 * 32) + 2 * (64 * 32 + 64 + 32 * 64 + 32 + 2 * 32)) + 2 * 32) ;
    expect(bytes.fp16).toBe(bytes.bf16);
    expect(bytes.fp16).toBeGreaterThan((bytes.fp32 - qformerBytes) / 2);
    expect(bytes.fp16).toBeLessThan(0.55 * bytes.fp32);
    expect(bytes.int8).toBeLessThan(bytes.fp16);
    expect(bytes.int4).toBeLessThan(bytes.int8);
  });

  it('int4: Linears outside the Q-Former are MatMulNBits, the Q-Former keeps float32 Gemms, the tied table is stored once', () => {
    const dir = bundles.get('int4')!;
    const vision = decodeModel(readFileSync(join(dir, 'vision_q4.onnx'))).graph!;
    const decoder = decodeModel(readFileSync(join(dir, 'decoder_with_past_q4.onnx'))).graph!;
    const embed = decodeModel(readFileSync(join(dir, 'embed_tokens_q4.onnx'))).graph!;
    const nbits = (graph: typeof vision) => graph.node!.filter((n) => n.opType === 'MatMulNBits');
    // vision: 2 layers × (qkv, projection, fc1, fc2) + language_projection; decoder: 2 layers × 6 + lm_head
    expect(nbits(vision)).toHaveLength(9);
    expect(nbits(decoder)).toHaveLength(13);
    expect(nbits(decoder).every((n) => n.domain === 'com.microsoft' && n.attribute!.find((a) => a.name === 'bits')!.i == 4)).toBe(true);
    const qformerInits = vision.initializer!.filter((t) => t.name!.startsWith('qformer.') || t.name === 'query_tokens');
    expect(qformerInits.length).toBeGreaterThan(0);
    expect(qformerInits.every((t) => t.dataType === ElemType.float32)).toBe(true);
    expect(vision.node!.filter((n) => n.opType === 'Gemm').every((n) => n.input![1].startsWith('qformer.'))).toBe(true);
    // OPT's tied embedding: GatherBlockQuantized (2-D view) and the lm_head's MatMulNBits (3-D view) read the same bytes
    expect(embed.node!.map((n) => n.opType)).toContain('GatherBlockQuantized');
    const offset = (t: { externalData?: { key?: string | null; value?: string | null }[] | null }) => t.externalData!.find((e) => e.key === 'offset')!.value;
    const rows = embed.initializer!.find((t) => t.name === 'language_model.model.decoder.embed_tokens.weight_q4_rows')!;
    const head = decoder.initializer!.find((t) => t.name === 'language_model.model.decoder.embed_tokens.weight_q4')!;
    expect(rows.dims!.map(Number)).toEqual([50272, 16]);
    expect(head.dims!.map(Number)).toEqual([50272, 1, 16]);
    expect(offset(rows)).toBe(offset(head));
  });

  it('int4 with blocks longer than a table row: the table falls back to float16, the lm_head still int4', async () => {
    const dir = join(work, 'opt-int4-b64');
    await convertCheckpoint({ checkpointDir: TINY_OPT, outDir: dir, dtype: 'int4', blockSize: 64 });
    const embed = decodeModel(readFileSync(join(dir, 'embed_tokens_q4.onnx'))).graph!;
    const decoder = decodeModel(readFileSync(join(dir, 'decoder_with_past_q4.onnx'))).graph!;
    expect(embed.initializer!.find((t) => t.name === 'language_model.model.decoder.embed_tokens.weight_fp16')!.dataType).toBe(ElemType.float16);
    expect(embed.node!.map((n) => n.opType)).toEqual(expect.arrayContaining(['Gather', 'Cast']));
    expect(decoder.initializer!.some((t) => t.name === 'language_model.model.decoder.embed_tokens.weight_q4')).toBe(true);
    const runtime = await Blip2Runtime.open(dir, { provider: 'cpu', threads: 1 });
    try {
      const [embedding] = await runtime.encodeImages([readFileSync(join(IMAGES, 'astronaut.png'))]);
      const [output] = await runtime.generate([{ queryEmbeds: embedding.queryEmbeds, prompt: '' }], { maxNewTokens: 5 });
      expect(output.sequence).toHaveLength(6);
    } finally {
      await runtime.close();
    }
  });

  it('bf16: every weight outside the Q-Former is bfloat16, read through a Cast', () => {
    const vision = decodeModel(readFileSync(join(bundles.get('bf16')!, 'vision_bf16.onnx'))).graph!;
    for (const t of vision.initializer!.filter((t) => t.dataLocation === 1)) {
      expect(t.dataType, t.name!).toBe(t.name!.startsWith('qformer.') || t.name === 'query_tokens' ? ElemType.float32 : ElemType.bfloat16);
    }
    expect(vision.node!.filter((n) => n.opType === 'Cast').length).toBeGreaterThan(10);
  });

  // Measured on this fixture (docs/benchmarks.md): max |Δ| over the golden top-5 of 7 photos × 4 prompts was
  // fp16 3.0e-2, bf16 1.6e-1, int8 7.0e-1, int4 3.9 (logits ≈ 10; the tiny random model amplifies weight error), and
  // the top-1 token stayed the golden one in 100 %, 96 %, 89 % and 43 % of them. The bounds leave headroom for
  // other CPUs (accuracy level 4's int8 activation kernels differ by instruction set).
  it.each(DTYPES)('%s: first-step logits against the goldens', async (dtype) => {
    const runtime = await Blip2Runtime.open(bundles.get(dtype)!, { provider: 'cpu', threads: 1 });
    let maxDelta = 0;
    let top1 = 0;
    let entries = 0;
    try {
      for (const [photo, golden] of Object.entries<any>(goldens.images)) {
        const [embedding] = await runtime.encodeImages([readFileSync(join(IMAGES, photo))]);
        for (const [name, expected] of Object.entries<any>(golden.first_step_logits)) {
          const prompt = name === 'caption_bos_only' ? '' : goldens.prompts[name].text;
          const logits = await runtime.decoderSession([{ queryEmbeds: embedding.queryEmbeds, prompt }]).prefill();
          expected.top5.ids.forEach((id: number, i: number) => (maxDelta = Math.max(maxDelta, Math.abs(logits[id] - expected.top5.values[i]))));
          const best = logits.indexOf(Math.max(...logits));
          if (best === expected.top5.ids[0]) top1++;
          entries++;
        }
      }
    } finally {
      await runtime.close();
    }
    deviation.set(dtype, { maxDelta, top1: top1 / entries });
    const bound = { fp32: 1e-4, fp16: 0.1, bf16: 0.5, int8: 1.5, int4: 10 }[dtype];
    expect(maxDelta).toBeLessThan(bound);
    if (dtype === 'fp32' || dtype === 'fp16') expect(top1).toBe(entries);
    if (dtype === 'bf16') expect(top1 / entries).toBeGreaterThan(0.85);
    if (dtype === 'int8') expect(top1 / entries).toBeGreaterThan(0.75);
  });

  it('more bits, closer to the goldens: fp32 < fp16 < bf16 < int8 < int4', () => {
    const d = (dtype: BundleDtype) => deviation.get(dtype)!.maxDelta;
    expect(deviation.size).toBe(DTYPES.length);
    expect(d('fp32')).toBeLessThan(d('fp16'));
    expect(d('fp16')).toBeLessThan(d('bf16'));
    expect(d('bf16')).toBeLessThan(d('int8'));
    expect(d('int8') * 3).toBeLessThan(d('int4'));
  });
});
