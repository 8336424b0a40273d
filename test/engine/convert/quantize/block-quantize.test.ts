import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dequantizeBlockwise, isValidBlockSize, quantizeBlockwise, quantizedLayout, type QuantBits } from '../../../../engine/convert/quantize/block-quantize.ts';
import { AttributeType, ElemType, encodeModel, type TensorProto } from '../../../../engine/convert/onnx/onnx-proto.ts';
import { openSession } from '../../../../engine/runtime/onnx-runtime.ts';

/** Seeded values, roughly normal, with a few outliers as real weights have. */
function weights(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float32Array.from({ length: count }, (_, i) => (next() + next() + next() - 1.5) * (i % 97 === 0 ? 8 : 1));
}

describe('block-wise quantization', () => {
  it('accepts the block sizes MatMulNBits accepts', () => {
    expect([16, 32, 64, 128, 256, 1024].every(isValidBlockSize)).toBe(true);
    expect([0, 8, 24, 48, 100, 16.5, -32].some(isValidBlockSize)).toBe(false);
  });

  for (const bits of [4, 8] as const) {
    for (const [n, k, blockSize] of [[5, 64, 16], [7, 100, 32], [3, 40, 128], [4, 96, 32]] as const) {
      it(`${bits}-bit, ${n}×${k}, block ${blockSize}: every value within half a step, zero exact`, () => {
        const w = weights(n * k, n * k + bits);
        w[3] = 0;
        const q = quantizeBlockwise(w, n, k, bits, blockSize);
        const layout = quantizedLayout(n, k, bits, blockSize);
        expect(q.packed.length).toBe(layout.packedBytes);
        expect(q.scales.length).toBe(n * Math.ceil(k / blockSize));
        expect(q.zeroPoints.length).toBe(n * Math.ceil((Math.ceil(k / blockSize) * bits) / 8));
        const back = dequantizeBlockwise(q);
        for (let row = 0; row < n; row++) {
          for (let i = 0; i < k; i++) {
            const scale = q.scales[row * q.kBlocks + Math.floor(i / blockSize)];
            expect(Math.abs(back[row * k + i] - w[row * k + i])).toBeLessThanOrEqual(scale / 2 + 1e-6);
          }
        }
        expect(back[3]).toBe(0);
      });
    }
  }

  it('8 bits is about 16× finer than 4 bits', () => {
    const w = weights(64 * 256, 5);
    const rms = (bits: QuantBits) => {
      const back = dequantizeBlockwise(quantizeBlockwise(w, 64, 256, bits, 32));
      return Math.sqrt(back.reduce((sum, v, i) => sum + (v - w[i]) ** 2, 0) / w.length);
    };
    const ratio = rms(4) / rms(8);
    expect(ratio).toBeGreaterThan(12);
    expect(ratio).toBeLessThan(20);
  });

  it('handles all-zero and constant blocks, and packs the zero point of an odd last block with the default 8', () => {
    const w = new Float32Array(2 * 48);
    w.fill(0.5, 48); // second row: constant positive
    const q = quantizeBlockwise(w, 2, 48, 4, 16); // 3 blocks per row → 2 zero-point bytes per row
    expect(Array.from(dequantizeBlockwise(q))).toEqual(Array.from(w));
    expect(q.zeroPoints.length).toBe(4);
    expect(q.zeroPoints[1] >> 4).toBe(8);
    expect(q.zeroPoints[3] >> 4).toBe(8);
  });

  it('computes scale and zero point as MLAS does: range over [min(0, min), max(0, max)], codes low nibble first', () => {
    const w = Float32Array.from({ length: 16 }, (_, i) => i - 5); // -5 … 10
    const q = quantizeBlockwise(w, 1, 16, 4, 16);
    expect(q.scales[0]).toBe(Math.fround(15 / 15));
    expect(q.zeroPoints[0] & 0x0f).toBe(5);
    expect(q.packed[0]).toBe(0 | (1 << 4)); // codes 0 and 1
    expect(q.packed[7]).toBe(14 | (15 << 4));
  });
});

describe('MatMulNBits in onnxruntime computes x · dequantized(W)ᵀ + b', () => {
  const work = mkdtempSync(join(tmpdir(), 'glance-nbits-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function run(bits: QuantBits, blockSize: number, accuracyLevel: number, m: number, k: number, n: number): Promise<{ got: Float32Array; want: Float32Array }> {
    const w = weights(n * k, bits * 1000 + blockSize + k);
    const bias = weights(n, 77);
    const x = weights(m * k, 99);
    const q = quantizeBlockwise(w, n, k, bits, blockSize);
    const raw = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const init = (name: string, dataType: number, dims: number[], data: Uint8Array): TensorProto => ({ name, dataType, dims, rawData: data });
    const attr = (name: string, i: number) => ({ name, type: AttributeType.INT, i });
    const valueInfo = (name: string, dims: (number | string)[]) => ({ name, type: { tensorType: { elemType: ElemType.float32, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
    const model = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
      graph: {
        name: 'nbits',
        node: [{ opType: 'MatMulNBits', domain: 'com.microsoft', name: 'mm', input: ['x', 'B', 'scales', 'zero_points', '', 'bias'], output: ['y'], attribute: [attr('K', k), attr('N', n), attr('bits', bits), attr('block_size', blockSize), attr('accuracy_level', accuracyLevel)] }],
        initializer: [
          init('B', ElemType.uint8, [n, q.kBlocks, q.blobSize], q.packed),
          init('scales', ElemType.float32, [n * q.kBlocks], raw(q.scales)),
          init('zero_points', ElemType.uint8, [q.zeroPoints.length], q.zeroPoints),
          init('bias', ElemType.float32, [n], raw(bias)),
        ],
        input: [valueInfo('x', ['rows', k])],
        output: [valueInfo('y', ['rows', n])],
      },
    });
    const path = join(work, `nbits-${bits}-${blockSize}-${accuracyLevel}-${k}.onnx`);
    writeFileSync(path, model);
    const session = await openSession(path, { provider: 'cpu', threads: 1 });
    try {
      const out = await session.run({ x: { dtype: 'float32', dims: [m, k], data: x } });
      const deq = dequantizeBlockwise(q);
      const want = new Float32Array(m * n);
      for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) {
        let sum = bias[c];
        for (let i = 0; i < k; i++) sum += x[r * k + i] * deq[c * k + i];
        want[r * n + c] = sum;
      }
      return { got: out.y.data as Float32Array, want };
    } finally {
      await session.release();
    }
  }

  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

  for (const bits of [4, 8] as const) {
    for (const blockSize of [16, 32, 64, 128]) {
      it(`${bits}-bit, block ${blockSize}, accuracy level 0: float32 compute on our packing (K = 200: a partial last block)`, async () => {
        const { got, want } = await run(bits, blockSize, 0, 3, 200, 24);
        expect(maxDiff(got, want)).toBeLessThan(1e-4 * Math.max(1, maxAbs(want)));
      });
    }
    it(`${bits}-bit, block 32, accuracy level 4: int8 activations stay within 2 % of the largest output`, async () => {
      const { got, want } = await run(bits, 32, 4, 5, 256, 32);
      expect(maxDiff(got, want)).toBeLessThan(0.02 * maxAbs(want));
    });
  }
});
