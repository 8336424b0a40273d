/**
 * The language-model graphs of BLIP-2 with T5 (Flan-T5), an encoder-decoder. Two graphs:
 *
 *   encoder:  [query_embeds ; shared[input_ids]] ─ N × (RMSNorm ─ self-attn + relative bias (bidirectional),
 *             RMSNorm ─ FFN) ─ final RMSNorm ─ encoder_hidden_states
 *                                                └─ per decoder layer: EncDecAttention k, v ─ cross_attention.{i}.key/value
 *   decoder:  shared[decoder_input_ids] ─ M × (RMSNorm ─ self-attn with past KV + relative bias (causal),
 *             RMSNorm ─ cross-attn over cross_attention.{i}.*, RMSNorm ─ FFN)
 *             └─ last position ─ final RMSNorm (─ · d_model^-½ if tied) ─ lm_head ─ logits
 *
 * Why the cross-attention keys/values come out of the ENCODER graph: they depend only on the encoder output, so they
 * are computed once per input (as transformers caches them after the first decoder step) and fed to every decoder
 * step; the decoder graph is then a single graph for the first and every later step (the first step feeds a
 * zero-length self-attention past), with no separate "first step" graph and no recomputation.
 *
 * T5 specifics, as modeling_t5.py of transformers 4.45: no biases in any Linear; RMS LayerNorm
 * (x · rsqrt(mean(x²) + eps) · w, no mean subtraction, float32); attention scores are NOT scaled; the relative
 * position bias (`relative_attention_bias` of block 0, shared by all layers of the stack) is added to the scores
 * together with the mask; cross-attention has no position bias. The relative position buckets are computed in the
 * graph from the positions: relative distance → clip at max_distance → a small constant table (bucket of every
 * distance 0..max_distance, worked out here with torch's float32 arithmetic so the log-spaced bucket edges land exactly
 * where transformers puts them) → Gather. Bidirectional buckets (encoder) add num_buckets/2 for keys after the query.
 */
import type { T5Blip2Config, T5Config } from '../blip2-config.ts';
import { T5_GRAPHS } from '../../bundle/tensor-names.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { activation, linear, mergeHeads, scaledDotProductAttention, selfAttentionWithPast, splitHeads } from './layers.ts';

const FLOAT32_MIN = -3.4028234663852886e38;
const PREFIX = 'language_model';
const SHARED = `${PREFIX}.shared.weight`;

/**
 * T5Attention._relative_position_bucket for the distances 0..maxDistance (larger distances share the last bucket):
 * exact buckets below max_exact, then log-spaced ones, with torch's float32 steps (log of a float32 ratio, divided
 * by float32(log(max_distance / max_exact)), times the bucket count, truncated).
 */
export function relativeBucketTable(numBuckets: number, maxDistance: number, bidirectional: boolean): number[] {
  const buckets = bidirectional ? Math.floor(numBuckets / 2) : numBuckets;
  const maxExact = Math.floor(buckets / 2);
  const f = Math.fround;
  const divisor = f(Math.log(maxDistance / maxExact));
  return Array.from({ length: maxDistance + 1 }, (_, n) => {
    if (n < maxExact) return n;
    const large = maxExact + Math.trunc(f(f(f(Math.log(f(n / maxExact))) / divisor) * (buckets - maxExact)));
    return Math.min(large, buckets - 1);
  });
}

/** T5LayerNorm: x / sqrt(mean(x²) + eps) · w over the last axis (the pattern onnxruntime fuses into SimplifiedLayerNormalization). */
function rmsNorm(b: GraphBuilder, x: string, weightName: string, dim: number, eps: number): string {
  const variance = b.op('ReduceMean', [b.op('Pow', [x, b.constant([2], 'float32', [])])], { axes: [-1], keepdims: 1 });
  const normed = b.op('Div', [x, b.op('Sqrt', [b.op('Add', [variance, b.constant([eps], 'float32', [])])])]);
  return b.op('Mul', [normed, b.weight(weightName, [dim])]);
}

/** T5LayerFF's inner block: gated (wo(act(wi_0 x) · wi_1 x)) or plain (wo(act(wi x))). */
function feedForward(b: GraphBuilder, t: T5Config, x: string, p: string): string {
  const inner = t.gatedFfn
    ? b.op('Mul', [activation(b, linear(b, x, `${p}.wi_0`, t.hiddenSize, t.ffnDim, false), t.activation), linear(b, x, `${p}.wi_1`, t.hiddenSize, t.ffnDim, false)])
    : activation(b, linear(b, x, `${p}.wi`, t.hiddenSize, t.ffnDim, false), t.activation);
  return linear(b, inner, `${p}.wo`, t.ffnDim, t.hiddenSize, false);
}

/** [batch, 1, 1, keys] additive mask: 0 where mask = 1, float32 min elsewhere (transformers' inverted mask). */
function paddingBias(b: GraphBuilder, mask: string): string {
  const keep = b.op('Unsqueeze', [b.op('Equal', [mask, b.constant([1], 'int64', [])]), b.constant([1, 2], 'int64')]);
  return b.op('Where', [keep, b.constant([0], 'float32', []), b.constant([FLOAT32_MIN], 'float32', [])]);
}

/** relative_attention_bias[bucket] for int64 buckets [queries, keys] → [1, heads, queries, keys]. */
function biasFromBuckets(b: GraphBuilder, t: T5Config, stack: 'encoder' | 'decoder', buckets: string): string {
  const table = b.weight(`${PREFIX}.${stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, [t.relativeAttentionNumBuckets, t.numHeads]);
  const values = b.op('Gather', [table, buckets], { axis: 0 });
  return b.op('Unsqueeze', [b.op('Transpose', [values], { perm: [2, 0, 1] }), b.constant([0], 'int64')]);
}

/** The length (int64 scalar) of axis `axis` of `x`. */
function dimOf(b: GraphBuilder, x: string, axis: number): string {
  return b.op('Gather', [b.op('Shape', [x]), b.constant([axis], 'int64', [])], { axis: 0 });
}

/** Splits [rows, heads·d_kv] into heads given the int64 shape [batch, seq, heads, d_kv]. */
function shape4Of(b: GraphBuilder, batchAndSeq: string, t: T5Config): string {
  return b.op('Concat', [batchAndSeq, b.constant([t.numHeads, t.headDim], 'int64')], { axis: 0 });
}

export function buildT5EncoderGraph(config: T5Blip2Config): GraphBuilder {
  const t = config.text;
  const b = new GraphBuilder('t5_encoder');
  const inner = t.numHeads * t.headDim;
  const queries = b.input(T5_GRAPHS.queryEmbeds, 'float32', ['batch', config.numQueryTokens, t.hiddenSize]);
  const ids = b.input(T5_GRAPHS.inputIds, 'int64', ['batch', 'text_sequence']);
  const mask = b.input(T5_GRAPHS.attentionMask, 'int64', ['batch', 'encoder_sequence']);

  const { hidden, batchAndSeq, shape4, bias } = b.scoped('prologue', () => {
    const text = b.op('Gather', [b.weight(SHARED, [t.vocabSize, t.hiddenSize]), ids], { axis: 0 });
    const embeds = b.op('Concat', [queries, text], { axis: 1 });
    const batchAndSeq = b.op('Slice', [b.op('Shape', [embeds]), b.constant([0], 'int64'), b.constant([2], 'int64')]);
    const hidden = b.op('Reshape', [embeds, b.constant([-1, t.hiddenSize], 'int64')]);
    const bias = b.scoped('position_bias', () => {
      const length = dimOf(b, embeds, 1);
      const positions = b.op('Range', [b.constant([0], 'int64', []), length, b.constant([1], 'int64', [])]);
      // memory position − context position, [queries, keys]
      const relative = b.op('Sub', [b.op('Unsqueeze', [positions, b.constant([0], 'int64')]), b.op('Unsqueeze', [positions, b.constant([1], 'int64')])]);
      const distance = b.op('Min', [b.op('Abs', [relative]), b.constant([t.relativeAttentionMaxDistance], 'int64', [])]);
      const table = b.constant(relativeBucketTable(t.relativeAttentionNumBuckets, t.relativeAttentionMaxDistance, true), 'int64');
      const later = b.op('Mul', [b.op('Cast', [b.op('Greater', [relative, b.constant([0], 'int64', [])])], { to: 7 }), b.constant([Math.floor(t.relativeAttentionNumBuckets / 2)], 'int64', [])]);
      const buckets = b.op('Add', [b.op('Gather', [table, distance], { axis: 0 }), later]);
      return b.op('Add', [biasFromBuckets(b, t, 'encoder', buckets), paddingBias(b, mask)]);
    });
    return { hidden, batchAndSeq, shape4: shape4Of(b, batchAndSeq, t), bias };
  });

  let h = hidden;
  for (let i = 0; i < t.numLayers; i++) {
    const p = `${PREFIX}.encoder.block.${i}`;
    h = b.scoped(`block.${i}`, () => {
      const attnOut = b.scoped('self_attn', () => {
        const x = rmsNorm(b, h, `${p}.layer.0.layer_norm.weight`, t.hiddenSize, t.layerNormEps);
        const a = `${p}.layer.0.SelfAttention`;
        const q = splitHeads(b, linear(b, x, `${a}.q`, t.hiddenSize, inner, false), shape4);
        const k = splitHeads(b, linear(b, x, `${a}.k`, t.hiddenSize, inner, false), shape4);
        const v = splitHeads(b, linear(b, x, `${a}.v`, t.hiddenSize, inner, false), shape4);
        const ctx = scaledDotProductAttention(b, q, k, v, undefined, bias);
        return linear(b, mergeHeads(b, ctx, inner), `${a}.o`, inner, t.hiddenSize, false);
      });
      const afterAttn = b.op('Add', [h, attnOut]);
      const ffnOut = b.scoped('ffn', () => feedForward(b, t, rmsNorm(b, afterAttn, `${p}.layer.1.layer_norm.weight`, t.hiddenSize, t.layerNormEps), `${p}.layer.1.DenseReluDense`));
      return b.op('Add', [afterAttn, ffnOut]);
    });
  }

  const encoded = b.scoped('final_layer_norm', () => rmsNorm(b, h, `${PREFIX}.encoder.final_layer_norm.weight`, t.hiddenSize, t.layerNormEps));
  const shape3 = b.op('Concat', [batchAndSeq, b.constant([t.hiddenSize], 'int64')], { axis: 0 });
  b.output(b.op('Reshape', [encoded, shape3]), T5_GRAPHS.encoderHiddenStates, 'float32', ['batch', 'encoder_sequence', t.hiddenSize]);
  for (let i = 0; i < t.numDecoderLayers; i++) {
    b.scoped(`cross_kv.${i}`, () => {
      const a = `${PREFIX}.decoder.block.${i}.layer.1.EncDecAttention`;
      const dims = ['batch', t.numHeads, 'encoder_sequence', t.headDim];
      b.output(splitHeads(b, linear(b, encoded, `${a}.k`, t.hiddenSize, inner, false), shape4), T5_GRAPHS.crossKey(i), 'float32', dims);
      b.output(splitHeads(b, linear(b, encoded, `${a}.v`, t.hiddenSize, inner, false), shape4), T5_GRAPHS.crossValue(i), 'float32', dims);
    });
  }
  return b;
}

export function buildT5DecoderGraph(config: T5Blip2Config): GraphBuilder {
  const t = config.text;
  const b = new GraphBuilder('t5_decoder_with_past');
  const inner = t.numHeads * t.headDim;
  const ids = b.input(T5_GRAPHS.decoderInputIds, 'int64', ['batch', 'sequence']);
  const encoderMask = b.input(T5_GRAPHS.encoderAttentionMask, 'int64', ['batch', 'encoder_sequence']);
  const layers = Array.from({ length: t.numDecoderLayers }, (_, i) => ({
    pastKey: b.input(T5_GRAPHS.pastKey(i), 'float32', ['past_sequence', 'batch', t.numHeads, t.headDim]),
    pastValue: b.input(T5_GRAPHS.pastValue(i), 'float32', ['past_sequence', 'batch', t.numHeads, t.headDim]),
    crossKey: b.input(T5_GRAPHS.crossKey(i), 'float32', ['batch', t.numHeads, 'encoder_sequence', t.headDim]),
    crossValue: b.input(T5_GRAPHS.crossValue(i), 'float32', ['batch', t.numHeads, 'encoder_sequence', t.headDim]),
  }));

  const { hidden, batchAndSeq, shape4, selfBias, crossBias } = b.scoped('prologue', () => {
    const embeds = b.op('Gather', [b.weight(SHARED, [t.vocabSize, t.hiddenSize]), ids], { axis: 0 });
    const batchAndSeq = b.op('Slice', [b.op('Shape', [ids]), b.constant([0], 'int64'), b.constant([2], 'int64')]);
    const hidden = b.op('Reshape', [embeds, b.constant([-1, t.hiddenSize], 'int64')]);
    const selfBias = b.scoped('position_bias', () => {
      const sequence = dimOf(b, ids, 1);
      const past = dimOf(b, layers[0].pastKey, 0);
      const total = b.op('Add', [past, sequence]);
      const one = b.constant([1], 'int64', []);
      const zero = b.constant([0], 'int64', []);
      const queryPositions = b.op('Unsqueeze', [b.op('Range', [past, total, one]), b.constant([1], 'int64')]);
      const keyPositions = b.op('Unsqueeze', [b.op('Range', [zero, total, one]), b.constant([0], 'int64')]);
      // causal buckets: distance back from the query, −min(key − query, 0), [queries, keys]
      const back = b.op('Max', [b.op('Sub', [queryPositions, keyPositions]), zero]);
      const distance = b.op('Min', [back, b.constant([t.relativeAttentionMaxDistance], 'int64', [])]);
      const table = b.constant(relativeBucketTable(t.relativeAttentionNumBuckets, t.relativeAttentionMaxDistance, false), 'int64');
      const positionBias = biasFromBuckets(b, t, 'decoder', b.op('Gather', [table, distance], { axis: 0 }));
      const causal = b.op('Where', [b.op('LessOrEqual', [keyPositions, queryPositions]), b.constant([0], 'float32', []), b.constant([FLOAT32_MIN], 'float32', [])]);
      return b.op('Add', [positionBias, causal]);
    });
    return { hidden, batchAndSeq, shape4: shape4Of(b, batchAndSeq, t), selfBias, crossBias: b.scoped('cross_bias', () => paddingBias(b, encoderMask)) };
  });

  let h = hidden;
  for (let i = 0; i < t.numDecoderLayers; i++) {
    const p = `${PREFIX}.decoder.block.${i}`;
    const layer = layers[i];
    h = b.scoped(`block.${i}`, () => {
      const selfOut = b.scoped('self_attn', () => {
        const x = rmsNorm(b, h, `${p}.layer.0.layer_norm.weight`, t.hiddenSize, t.layerNormEps);
        const a = `${p}.layer.0.SelfAttention`;
        const q = splitHeads(b, linear(b, x, `${a}.q`, t.hiddenSize, inner, false), shape4);
        const k = linear(b, x, `${a}.k`, t.hiddenSize, inner, false);
        const v = linear(b, x, `${a}.v`, t.hiddenSize, inner, false);
        const past = { key: layer.pastKey, value: layer.pastValue };
        const kv = selfAttentionWithPast(b, k, v, shape4, past, { key: T5_GRAPHS.newKey(i), value: T5_GRAPHS.newValue(i), dims: ['sequence', 'batch', t.numHeads, t.headDim] });
        const ctx = scaledDotProductAttention(b, q, kv.keysT, kv.values, undefined, selfBias, { keysTransposed: true });
        return linear(b, mergeHeads(b, ctx, inner), `${a}.o`, inner, t.hiddenSize, false);
      });
      const afterSelf = b.op('Add', [h, selfOut]);
      const crossOut = b.scoped('cross_attn', () => {
        const x = rmsNorm(b, afterSelf, `${p}.layer.1.layer_norm.weight`, t.hiddenSize, t.layerNormEps);
        const a = `${p}.layer.1.EncDecAttention`;
        const q = splitHeads(b, linear(b, x, `${a}.q`, t.hiddenSize, inner, false), shape4);
        const ctx = scaledDotProductAttention(b, q, layer.crossKey, layer.crossValue, undefined, crossBias);
        return linear(b, mergeHeads(b, ctx, inner), `${a}.o`, inner, t.hiddenSize, false);
      });
      const afterCross = b.op('Add', [afterSelf, crossOut]);
      const ffnOut = b.scoped('ffn', () => feedForward(b, t, rmsNorm(b, afterCross, `${p}.layer.2.layer_norm.weight`, t.hiddenSize, t.layerNormEps), `${p}.layer.2.DenseReluDense`));
      return b.op('Add', [afterCross, ffnOut]);
    });
  }

  const logits = b.scoped('lm_head', () => {
    // Only the last position's logits: generation never needs the others.
    const hidden3d = b.op('Reshape', [h, b.op('Concat', [batchAndSeq, b.constant([t.hiddenSize], 'int64')], { axis: 0 })]);
    const last = b.op('Slice', [hidden3d, b.constant([-1], 'int64'), b.constant([Number.MAX_SAFE_INTEGER], 'int64'), b.constant([1], 'int64')]);
    const last2d = b.op('Reshape', [last, b.constant([-1, t.hiddenSize], 'int64')]);
    let normed = rmsNorm(b, last2d, `${PREFIX}.decoder.final_layer_norm.weight`, t.hiddenSize, t.layerNormEps);
    // Tied embeddings: T5ForConditionalGeneration rescales the decoder output before the shared lm_head.
    if (t.tieWordEmbeddings) normed = b.op('Mul', [normed, b.constant([t.hiddenSize ** -0.5], 'float32', [])]);
    return linear(b, normed, t.tieWordEmbeddings ? `${PREFIX}.shared` : `${PREFIX}.lm_head`, t.hiddenSize, t.vocabSize, false);
  });
  b.output(logits, T5_GRAPHS.logits, 'float32', ['batch', t.vocabSize]);
  return b;
}
