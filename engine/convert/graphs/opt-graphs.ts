/**
 * Graphs 2 and 3 for an OPT language model: token embeddings, and the decoder with a past/present KV cache.
 *
 *   inputs_embeds ─┬─ + embed_positions[position_ids + 2] ─ N × (pre-LN self-attn with KV cache, pre-LN ReLU FFN)
 *                  │   (the past comes in sequence-major and only the new positions' keys/values go out: layers.ts)
 *                  │                                            └─ last position ─ final LN ─ Gemm(embed_tokensᵀ) ─ logits
 *   attention_mask ─ causal ∧ padding ─ additive bias shared by all layers
 */
import type { OptBlip2Config, OptConfig } from '../blip2-config.ts';
import { OPT_GRAPHS } from '../../bundle/tensor-names.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { activation, layerNorm, linear, mergeHeads, scaledDotProductAttention, selfAttentionWithPast, splitHeads } from './layers.ts';

const FLOAT32_MIN = -3.4028234663852886e38;
const DECODER_PREFIX = 'language_model.model.decoder';

export function buildOptEmbeddingGraph(config: OptBlip2Config): GraphBuilder {
  const t = config.text;
  const b = new GraphBuilder('opt_embed_tokens');
  const ids = b.input(OPT_GRAPHS.inputIds, 'int64', ['batch', 'sequence']);
  const embeds = b.op('Gather', [b.weight(`${DECODER_PREFIX}.embed_tokens.weight`, [t.vocabSize, t.hiddenSize]), ids], { axis: 0 });
  b.output(embeds, OPT_GRAPHS.inputsEmbeds, 'float32', ['batch', 'sequence', t.hiddenSize]);
  return b;
}

export function buildOptDecoderGraph(config: OptBlip2Config): GraphBuilder {
  const t = config.text;
  const b = new GraphBuilder('opt_decoder_with_past');
  const headDim = t.hiddenSize / t.numHeads;
  const embeds = b.input(OPT_GRAPHS.inputsEmbeds, 'float32', ['batch', 'sequence', t.hiddenSize]);
  const mask = b.input(OPT_GRAPHS.attentionMask, 'int64', ['batch', 'total_sequence']);
  const positionIds = b.input(OPT_GRAPHS.positionIds, 'int64', ['batch', 'sequence']);
  const past = Array.from({ length: t.numLayers }, (_, i) => ({
    key: b.input(OPT_GRAPHS.pastKey(i), 'float32', ['past_sequence', 'batch', t.numHeads, headDim]),
    value: b.input(OPT_GRAPHS.pastValue(i), 'float32', ['past_sequence', 'batch', t.numHeads, headDim]),
  }));

  const { hidden, shape3, shape4, bias } = b.scoped('prologue', () => {
    const shape = b.op('Shape', [embeds]);
    const batchAndSeq = b.op('Slice', [shape, b.constant([0], 'int64'), b.constant([2], 'int64')]);
    const shape4 = b.op('Concat', [batchAndSeq, b.constant([t.numHeads, headDim], 'int64')], { axis: 0 });
    const shape3 = b.op('Concat', [batchAndSeq, b.constant([t.hiddenSize], 'int64')], { axis: 0 });
    const positions = b.op('Gather', [b.weight(`${DECODER_PREFIX}.embed_positions.weight`, [t.maxPositionEmbeddings + t.positionOffset, t.hiddenSize]), b.op('Add', [positionIds, b.constant([t.positionOffset], 'int64', [])])], { axis: 0 });
    const hidden = b.op('Reshape', [b.op('Add', [embeds, positions]), b.constant([-1, t.hiddenSize], 'int64')]);
    return { hidden, shape3, shape4, bias: attentionBias(b, embeds, mask) };
  });

  let h = hidden;
  for (let i = 0; i < t.numLayers; i++) {
    const p = `${DECODER_PREFIX}.layers.${i}`;
    h = b.scoped(`layers.${i}`, () => {
      const attnOut = b.scoped('attn', () => {
        const x = layerNorm(b, h, `${p}.self_attn_layer_norm`, t.hiddenSize, t.layerNormEps);
        const q = b.op('Mul', [linear(b, x, `${p}.self_attn.q_proj`, t.hiddenSize, t.hiddenSize, t.enableBias), b.constant([headDim ** -0.5], 'float32', [])]);
        const k = linear(b, x, `${p}.self_attn.k_proj`, t.hiddenSize, t.hiddenSize, t.enableBias);
        const v = linear(b, x, `${p}.self_attn.v_proj`, t.hiddenSize, t.hiddenSize, t.enableBias);
        const kv = selfAttentionWithPast(b, k, v, shape4, past[i], { key: OPT_GRAPHS.newKey(i), value: OPT_GRAPHS.newValue(i), dims: ['sequence', 'batch', t.numHeads, headDim] });
        const ctx = scaledDotProductAttention(b, splitHeads(b, q, shape4), kv.keysT, kv.values, undefined, bias, { keysTransposed: true });
        return linear(b, mergeHeads(b, ctx, t.hiddenSize), `${p}.self_attn.out_proj`, t.hiddenSize, t.hiddenSize, t.enableBias);
      });
      const afterAttn = b.op('Add', [h, attnOut]);
      const ffnOut = b.scoped('ffn', () => {
        const x = layerNorm(b, afterAttn, `${p}.final_layer_norm`, t.hiddenSize, t.layerNormEps);
        const up = activation(b, linear(b, x, `${p}.fc1`, t.hiddenSize, t.ffnDim, t.enableBias), t.activation);
        return linear(b, up, `${p}.fc2`, t.ffnDim, t.hiddenSize, t.enableBias);
      });
      return b.op('Add', [afterAttn, ffnOut]);
    });
  }

  const logits = b.scoped('lm_head', () => lmHead(b, t, h, shape3));
  b.output(logits, OPT_GRAPHS.logits, 'float32', ['batch', t.vocabSize]);
  return b;
}

/** Only the last position's logits are computed: generation never needs the others (left padding keeps it real). */
function lmHead(b: GraphBuilder, t: OptConfig, hidden2d: string, shape3: string): string {
  const hidden3d = b.op('Reshape', [hidden2d, shape3]);
  const last = b.op('Slice', [hidden3d, b.constant([-1], 'int64'), b.constant([Number.MAX_SAFE_INTEGER], 'int64'), b.constant([1], 'int64')]);
  const last2d = b.op('Reshape', [last, b.constant([-1, t.hiddenSize], 'int64')]);
  const normed = layerNorm(b, last2d, `${DECODER_PREFIX}.final_layer_norm`, t.hiddenSize, t.layerNormEps);
  const head = t.tieWordEmbeddings ? `${DECODER_PREFIX}.embed_tokens.weight` : 'language_model.lm_head.weight';
  return b.op('Gemm', [normed, b.weight(head, [t.vocabSize, t.hiddenSize])], { transB: 1 });
}

/** Additive attention bias [batch, 1, sequence, total]: 0 where a query may attend a key (causal and not padding), float32 min elsewhere. */
function attentionBias(b: GraphBuilder, embeds: string, mask: string): string {
  return b.scoped('attention_bias', () => {
    const total = b.op('Gather', [b.op('Shape', [mask]), b.constant([1], 'int64', [])], { axis: 0 });
    const sequence = b.op('Gather', [b.op('Shape', [embeds]), b.constant([1], 'int64', [])], { axis: 0 });
    const pastLength = b.op('Sub', [total, sequence]);
    const one = b.constant([1], 'int64', []);
    const queryPositions = b.op('Unsqueeze', [b.op('Range', [pastLength, total, one]), b.constant([1], 'int64')]);
    const keyPositions = b.op('Unsqueeze', [b.op('Range', [b.constant([0], 'int64', []), total, one]), b.constant([0], 'int64')]);
    const causal = b.op('LessOrEqual', [keyPositions, queryPositions]);
    const notPadding = b.op('Unsqueeze', [b.op('Equal', [mask, one]), b.constant([1, 2], 'int64')]);
    const allowed = b.op('And', [causal, notPadding]);
    return b.op('Where', [allowed, b.constant([0], 'float32', []), b.constant([FLOAT32_MIN], 'float32', [])]);
  });
}
