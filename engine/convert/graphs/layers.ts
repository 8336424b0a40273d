/**
 * Building blocks shared by the BLIP-2 graphs. Activations flow as 2-D [rows, width] tensors so every Linear is one
 * Gemm with transB = 1 over the checkpoint's own [out, in] weight (no transposed copies on disk, and OPT's tied
 * lm_head reads the very bytes the token embedding reads).
 */
import { float, MS_DOMAIN, type GraphBuilder } from '../onnx/graph-builder.ts';
import type { Activation } from '../blip2-config.ts';

/**
 * y = x · Wᵀ + b, with W = `${prefix}.weight` [outDim, inDim] and b = `${prefix}.bias`. Always a float32 Gemm here:
 * the bundle's weight format is applied to the finished graph (GraphBuilder.applyWeightPolicy), which turns this
 * Gemm into MatMulNBits for int8/int4 or reads W through a Cast for fp16/bf16.
 */
export function linear(b: GraphBuilder, x: string, prefix: string, inDim: number, outDim: number, bias = true): string {
  const w = b.weight(`${prefix}.weight`, [outDim, inDim]);
  const inputs = bias ? [x, w, b.weight(`${prefix}.bias`, [outDim])] : [x, w];
  return b.op('Gemm', inputs, { transB: 1 });
}

export function layerNorm(b: GraphBuilder, x: string, prefix: string, dim: number, eps: number): string {
  return b.op('LayerNormalization', [x, b.weight(`${prefix}.weight`, [dim]), b.weight(`${prefix}.bias`, [dim])], {
    axis: -1,
    epsilon: float(eps),
  });
}

/** The activation functions of transformers' ACT2FN that BLIP-2 configs use. */
export function activation(b: GraphBuilder, x: string, kind: Activation): string {
  switch (kind) {
    case 'relu':
      return b.op('Relu', [x]);
    case 'gelu':
      // exact (erf) GELU as onnxruntime's fused com.microsoft Gelu kernel: one pass instead of five elementwise ops.
      return b.op('Gelu', [x], {}, { domain: MS_DOMAIN });
    case 'gelu_new': {
      // tanh approximation: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
      const cube = b.op('Mul', [b.op('Mul', [x, x]), x]);
      const inner = b.op('Add', [x, b.op('Mul', [cube, b.constant([0.044715], 'float32', [])])]);
      const tanh = b.op('Tanh', [b.op('Mul', [inner, b.constant([Math.sqrt(2 / Math.PI)], 'float32', [])])]);
      const onePlus = b.op('Add', [tanh, b.constant([1], 'float32', [])]);
      return b.op('Mul', [b.op('Mul', [x, b.constant([0.5], 'float32', [])]), onePlus]);
    }
    case 'quick_gelu':
      return b.op('Mul', [x, b.op('Sigmoid', [b.op('Mul', [x, b.constant([1.702], 'float32', [])])])]);
  }
}

/** [rows, heads·headDim] → [batch, heads, seq, headDim], given the int64 shape [batch, seq, heads, headDim]. */
export function splitHeads(b: GraphBuilder, x: string, shape4: string): string {
  return b.op('Transpose', [b.op('Reshape', [x, shape4])], { perm: [0, 2, 1, 3] });
}

/** [batch, heads, seq, headDim] → [rows, heads·headDim]. */
export function mergeHeads(b: GraphBuilder, x: string, width: number): string {
  const t = b.op('Transpose', [x], { perm: [0, 2, 1, 3] });
  return b.op('Reshape', [t, b.constant([-1, width], 'int64')]);
}

export type ScoreScaling = { kind: 'multiply' | 'divide'; value: number };

/**
 *   q4 ─ MatMul(·, k4ᵀ) ─ scale ─ (+ bias) ─ Softmax ─ MatMul(·, v4) ─ context
 * Inputs are already split into heads: [batch, heads, seq, headDim]; `keysTransposed`: k4 is already
 * [batch, heads, headDim, seq] (selfAttentionWithPast gives it so).
 */
export function scaledDotProductAttention(
  b: GraphBuilder,
  q4: string,
  k4: string,
  v4: string,
  scaling: ScoreScaling | undefined,
  bias: string | undefined,
  options: { keysTransposed?: boolean } = {},
): string {
  const keysT = options.keysTransposed ? k4 : b.op('Transpose', [k4], { perm: [0, 1, 3, 2] });
  let scores = b.op('MatMul', [q4, keysT]);
  if (scaling) {
    scores = b.op(scaling.kind === 'multiply' ? 'Mul' : 'Div', [scores, b.constant([scaling.value], 'float32', [])]);
  }
  if (bias) scores = b.op('Add', [scores, bias]);
  const probs = b.op('Softmax', [scores], { axis: -1 });
  return b.op('MatMul', [probs, v4]);
}

/** int64 [batch, seq, heads, headDim] from a fixed `seq` (or -1 for the batch) — for graphs whose lengths are static. */
export function fixedShape4(b: GraphBuilder, seq: number, heads: number, headDim: number): string {
  return b.constant([-1, seq, heads, headDim], 'int64');
}

/**
 * A decoder layer's self-attention keys and values with a host cache kept sequence-major (runtime/kv-cache.ts):
 *   this run's k/v [rows, heads·headDim] ─ [seq, batch, heads, headDim] ─┬─ graph outputs `output.key` / `output.value`
 *   past [past_sequence, batch, heads, headDim] ───────────────────────── Concat ─ [total, batch, heads, headDim]
 *   ─ keysT [batch, heads, headDim, total] and values [batch, heads, total, headDim] for scaledDotProductAttention.
 * The graph returns only the new positions, so the host appends a few kilobytes per step instead of receiving a
 * fresh copy of the whole cache. `shape4` is the int64 shape [batch, seq, heads, headDim].
 */
export function selfAttentionWithPast(
  b: GraphBuilder,
  k2d: string,
  v2d: string,
  shape4: string,
  past: { key: string; value: string },
  output: { key: string; value: string; dims: (string | number)[] },
): { keysT: string; values: string } {
  const sequenceMajor = (x: string) => b.op('Transpose', [b.op('Reshape', [x, shape4])], { perm: [1, 0, 2, 3] });
  const newKeys = sequenceMajor(k2d);
  const newValues = sequenceMajor(v2d);
  b.output(newKeys, output.key, 'float32', output.dims);
  b.output(newValues, output.value, 'float32', output.dims);
  const keys = b.op('Concat', [past.key, newKeys], { axis: 0 });
  const values = b.op('Concat', [past.value, newValues], { axis: 0 });
  return {
    keysT: b.op('Transpose', [keys], { perm: [1, 2, 3, 0] }),
    values: b.op('Transpose', [values], { perm: [1, 2, 0, 3] }),
  };
}
