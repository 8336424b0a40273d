/** GraphBuilder.applyWeightPolicy on a small graph: what each format turns Linears, tables and other weights into. */
import { describe, expect, it } from 'vitest';
import { GraphBuilder, storageKey } from '../../../../engine/convert/onnx/graph-builder.ts';
import { layerNorm, linear } from '../../../../engine/convert/graphs/layers.ts';
import { parseWeightFormat, weightPolicy } from '../../../../engine/convert/weight-format.ts';

/** ids → table rows → LayerNorm → Linear (with bias) → Linear (no bias, a Q-Former one) → Linear tied to the table. */
function smallGraph(): GraphBuilder {
  const b = new GraphBuilder('small');
  const ids = b.input('ids', 'int64', ['n']);
  const rows = b.op('Gather', [b.weight('model.embed.weight', [100, 64]), ids], { axis: 0 });
  const normed = layerNorm(b, rows, 'model.norm', 64, 1e-5);
  const up = linear(b, normed, 'model.fc', 64, 32);
  const q = linear(b, up, 'qformer.layer.dense', 32, 64, false);
  const logits = b.op('Gemm', [q, b.weight('model.embed.weight', [100, 64])], { transB: 1 });
  b.output(logits, 'logits', 'float32', ['n', 100]);
  return b;
}

const ops = (b: GraphBuilder) => b.build(locationsFor(b), 'w.bin', 17).graph!.node!.map((n) => n.opType);
function locationsFor(b: GraphBuilder) {
  const locations = new Map<string, { offset: number; length: number }>();
  for (const entry of b.storedWeights()) for (const part of ['', '/scales', '/zero_points']) locations.set(`${entry.key}${part}`, { offset: 0, length: 1 });
  return locations;
}

describe('applyWeightPolicy', () => {
  it('fp32 changes nothing', () => {
    const plain = smallGraph();
    const lowered = smallGraph();
    lowered.applyWeightPolicy(weightPolicy(parseWeightFormat({ dtype: 'fp32' })));
    expect(ops(lowered)).toEqual(ops(plain));
    expect(lowered.storedWeights().map((e) => e.key).sort()).toEqual([...plain.weights.keys()].sort());
  });

  it('int4: Linears outside the Q-Former → MatMulNBits, the tied table → GatherBlockQuantized over the same stored tensor', () => {
    const b = smallGraph();
    b.applyWeightPolicy(weightPolicy(parseWeightFormat({ dtype: 'int4' })));
    expect(ops(b)).toEqual(['GatherBlockQuantized', 'LayerNormalization', 'MatMulNBits', 'Gemm', 'MatMulNBits', 'Identity']);
    const nbits = { kind: 'nbits', bits: 4, blockSize: 32 } as const;
    expect(b.storedWeights().map((e) => e.key).sort()).toEqual(
      [storageKey('model.embed.weight', nbits), storageKey('model.fc.weight', nbits), 'model.fc.bias', 'model.norm.bias', 'model.norm.weight', 'qformer.layer.dense.weight'].sort(),
    );
    const graph = b.build(locationsFor(b), 'w.bin', 17).graph!;
    const fc = graph.node!.find((n) => n.opType === 'MatMulNBits')!;
    expect(fc.input).toEqual(['/LayerNormalization/output_0', 'model.fc.weight_q4', 'model.fc.weight_q4_scales', 'model.fc.weight_q4_zero_points', '', 'model.fc.bias']);
    expect(Object.fromEntries(fc.attribute!.map((a) => [a.name, Number(a.i)]))).toEqual({ K: 64, N: 32, bits: 4, block_size: 32, accuracy_level: 4 });
    const dims = Object.fromEntries(graph.initializer!.map((t) => [t.name, t.dims!.map(Number)]));
    expect(dims['model.embed.weight_q4']).toEqual([100, 2, 16]);
    expect(dims['model.embed.weight_q4_rows']).toEqual([100, 32]);
    expect(dims['model.embed.weight_q4_rows_scales']).toEqual([100, 2]);
    expect(dims['model.embed.weight_q4_scales']).toEqual([200]);
  });

  it('bf16: one Cast per 16-bit weight, the table gathered before its Cast, the Q-Former untouched', () => {
    const b = smallGraph();
    b.applyWeightPolicy(weightPolicy(parseWeightFormat({ dtype: 'bf16' })));
    const graph = b.build(locationsFor(b), 'w.bin', 17).graph!;
    // casts of model.norm.{weight,bias}, model.fc.{weight,bias} and the lm_head use of the table, then the gathered rows' Cast
    expect(graph.node!.filter((n) => n.opType === 'Cast')).toHaveLength(6);
    const gather = graph.node!.find((n) => n.opType === 'Gather')!;
    expect(gather.input![0]).toBe('model.embed.weight_bf16');
    expect(graph.initializer!.find((t) => t.name === 'qformer.layer.dense.weight')).toBeDefined();
    expect(b.storedWeights()).toHaveLength(6);
  });

  it('refuses to apply twice', () => {
    const b = smallGraph();
    b.applyWeightPolicy(weightPolicy(parseWeightFormat({ dtype: 'fp16' })));
    expect(() => b.applyWeightPolicy(weightPolicy(parseWeightFormat({ dtype: 'fp16' })))).toThrow(/already applied/);
  });
});
