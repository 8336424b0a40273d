/**
 * The ViT vision tower every BLIP-2 family shares (Blip2VisionModel):
 *
 *   pixel_values ─ Conv(patch) ─ [CLS ; patches] + pos ─ N × pre-LN ViT layer ─ post LN ─ [batch·tokens, hidden]
 */
import type { VisionConfig } from '../blip2-config.ts';
import type { GraphBuilder } from '../onnx/graph-builder.ts';
import { activation, fixedShape4, layerNorm, linear, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.ts';

/** Patches + CLS: the length of the vision tower's output sequence. */
export function visionTokens(v: VisionConfig): number {
  return (v.imageSize / v.patchSize) ** 2 + 1;
}

/** Returns the post-LayerNorm hidden states as [batch·tokens, hidden]. Build it inside a 'vision' scope. */
export function visionTower(b: GraphBuilder, v: VisionConfig, pixels: string): string {
  const d = v.hiddenSize;
  const tokens = visionTokens(v);
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
