/**
 * Graph 1: pixel_values → vision tower (ViT) → Q-Former → language_projection → the query embeddings the language
 * model reads. Also outputs the vision tower's last hidden state and the Q-Former output (for parity checks and for
 * image-text matching).
 *
 *   pixel_values ─ Conv(patch) ─ [CLS ; patches] + pos ─ N × ViT layer ─ post LN ─ image_embeds
 *   query_tokens ─ LN ─ M × Q-Former layer (self-attn, cross-attn to image_embeds every k-th, query FFN) ─ qformer_output
 *   qformer_output ─ language_projection ─ query_embeds
 */
import type { Blip2Common, QFormerConfig, VisionConfig } from '../blip2-config.ts';
import { VISION_GRAPH } from '../../bundle/tensor-names.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { activation, fixedShape4, layerNorm, linear, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.ts';

export function buildVisionGraph(config: Blip2Common, languageHidden: number): GraphBuilder {
  const b = new GraphBuilder('blip2_vision_qformer');
  const v = config.vision;
  const side = v.imageSize;
  const pixels = b.input(VISION_GRAPH.input, 'float32', ['batch', 3, side, side]);
  const tokens = (side / v.patchSize) ** 2 + 1;

  const image2d = b.scoped('vision', () => visionTower(b, v, pixels, tokens));
  b.output(b.op('Reshape', [image2d, b.constant([-1, tokens, v.hiddenSize], 'int64')]), VISION_GRAPH.imageEmbeds, 'float32', ['batch', tokens, v.hiddenSize]);

  const q = config.qformer;
  const queries = config.numQueryTokens;
  const qformer2d = b.scoped('qformer', () => qformer(b, q, pixels, image2d, tokens, queries));
  b.output(b.op('Reshape', [qformer2d, b.constant([-1, queries, q.hiddenSize], 'int64')]), VISION_GRAPH.qformerOutput, 'float32', ['batch', queries, q.hiddenSize]);

  const projected = b.scoped('language_projection', () => linear(b, qformer2d, 'language_projection', q.hiddenSize, languageHidden));
  b.output(b.op('Reshape', [projected, b.constant([-1, queries, languageHidden], 'int64')]), VISION_GRAPH.queryEmbeds, 'float32', ['batch', queries, languageHidden]);
  return b;
}

/** Returns the post-LayerNorm hidden states as [batch·tokens, hidden]. */
function visionTower(b: GraphBuilder, v: VisionConfig, pixels: string, tokens: number): string {
  const d = v.hiddenSize;
  const embeddings = b.scoped('embeddings', () => {
    const patches = b.op(
      'Conv',
      [pixels, b.weight('vision_model.embeddings.patch_embedding.weight', [d, 3, v.patchSize, v.patchSize]), b.weight('vision_model.embeddings.patch_embedding.bias', [d])],
      { kernel_shape: [v.patchSize, v.patchSize], strides: [v.patchSize, v.patchSize] },
    );
    const sequence = b.op('Transpose', [b.op('Reshape', [patches, b.constant([0, d, -1], 'int64')])], { perm: [0, 2, 1] });
    const batch = b.op('Slice', [b.op('Shape', [pixels]), b.constant([0], 'int64'), b.constant([1], 'int64')]);
    const clsShape = b.op('Concat', [batch, b.constant([1, d], 'int64')], { axis: 0 });
    const cls = b.op('Expand', [b.weight('vision_model.embeddings.class_embedding', [1, 1, d]), clsShape]);
    const withCls = b.op('Concat', [cls, sequence], { axis: 1 });
    const positioned = b.op('Add', [withCls, b.weight('vision_model.embeddings.position_embedding', [1, tokens, d])]);
    return b.op('Reshape', [positioned, b.constant([-1, d], 'int64')]);
  });

  const shape4 = fixedShape4(b, tokens, v.numHeads, d / v.numHeads);
  let h = embeddings;
  for (let i = 0; i < v.numLayers; i++) {
    const p = `vision_model.encoder.layers.${i}`;
    h = b.scoped(`layers.${i}`, () => {
      const attnOut = b.scoped('attn', () => {
        const x = layerNorm(b, h, `${p}.layer_norm1`, d, v.layerNormEps);
        const qkv = linear(b, x, `${p}.self_attn.qkv`, d, 3 * d, v.qkvBias);
        const [q, k, val] = b.opMulti('Split', [qkv, b.constant([d, d, d], 'int64')], { axis: 1 }, { outputs: 3 });
        const scale = (d / v.numHeads) ** -0.5;
        const ctx = scaledDotProductAttention(b, splitHeads(b, q, shape4), splitHeads(b, k, shape4), splitHeads(b, val, shape4), { kind: 'multiply', value: scale }, undefined);
        return linear(b, mergeHeads(b, ctx, d), `${p}.self_attn.projection`, d, d);
      });
      const afterAttn = b.op('Add', [attnOut, h]);
      const mlpOut = b.scoped('mlp', () => {
        const x = layerNorm(b, afterAttn, `${p}.layer_norm2`, d, v.layerNormEps);
        const up = activation(b, linear(b, x, `${p}.mlp.fc1`, d, v.intermediateSize), v.hiddenAct);
        return linear(b, up, `${p}.mlp.fc2`, v.intermediateSize, d);
      });
      return b.op('Add', [mlpOut, afterAttn]);
    });
  }
  return b.scoped('post_layernorm', () => layerNorm(b, h, 'vision_model.post_layernorm', d, v.layerNormEps));
}

/** BERT-style post-LN attention block: LN(dense(attention(q from h, k/v from source)) + h). */
function qformerAttention(
  b: GraphBuilder,
  q: QFormerConfig,
  h: string,
  source: string,
  sourceWidth: number,
  prefix: string,
  queryShape: string,
  sourceShape: string,
): string {
  const d = q.hiddenSize;
  const query = splitHeads(b, linear(b, h, `${prefix}.attention.query`, d, d), queryShape);
  const key = splitHeads(b, linear(b, source, `${prefix}.attention.key`, sourceWidth, d), sourceShape);
  const value = splitHeads(b, linear(b, source, `${prefix}.attention.value`, sourceWidth, d), sourceShape);
  const ctx = scaledDotProductAttention(b, query, key, value, { kind: 'divide', value: Math.sqrt(d / q.numHeads) }, undefined);
  const dense = linear(b, mergeHeads(b, ctx, d), `${prefix}.output.dense`, d, d);
  return layerNorm(b, b.op('Add', [dense, h]), `${prefix}.output.LayerNorm`, d, q.layerNormEps);
}

/** Returns the Q-Former's last hidden state as [batch·queries, hidden]. */
function qformer(b: GraphBuilder, q: QFormerConfig, pixels: string, image2d: string, tokens: number, queries: number): string {
  const d = q.hiddenSize;
  const headDim = d / q.numHeads;
  const start = b.scoped('embeddings', () => {
    const batch = b.op('Slice', [b.op('Shape', [pixels]), b.constant([0], 'int64'), b.constant([1], 'int64')]);
    const shape = b.op('Concat', [batch, b.constant([queries, d], 'int64')], { axis: 0 });
    const expanded = b.op('Expand', [b.weight('query_tokens', [1, queries, d]), shape]);
    const flat = b.op('Reshape', [expanded, b.constant([-1, d], 'int64')]);
    return layerNorm(b, flat, 'qformer.layernorm', d, q.layerNormEps);
  });
  const queryShape = fixedShape4(b, queries, q.numHeads, headDim);
  const imageShape = fixedShape4(b, tokens, q.numHeads, headDim);
  let h = start;
  for (let i = 0; i < q.numLayers; i++) {
    const p = `qformer.encoder.layer.${i}`;
    h = b.scoped(`layers.${i}`, () => {
      let x = b.scoped('self_attn', () => qformerAttention(b, q, h, h, d, `${p}.attention`, queryShape, queryShape));
      if (i % q.crossAttentionFrequency === 0) {
        x = b.scoped('cross_attn', () => qformerAttention(b, q, x, image2d, q.encoderHiddenSize, `${p}.crossattention`, queryShape, imageShape));
      }
      return b.scoped('ffn', () => {
        const up = activation(b, linear(b, x, `${p}.intermediate_query.dense`, d, q.intermediateSize), q.hiddenAct);
        const down = linear(b, up, `${p}.output_query.dense`, q.intermediateSize, d);
        return layerNorm(b, b.op('Add', [down, x]), `${p}.output_query.LayerNorm`, d, q.layerNormEps);
      });
    });
  }
  return h;
}
