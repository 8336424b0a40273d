/**
 * The vision graph of the generative families (OPT, T5): pixel_values → vision tower (ViT) → Q-Former (queries only)
 * → language_projection → the query embeddings the language model reads. Also outputs the vision tower's last hidden
 * state and the Q-Former output (for parity checks). The tower and the Q-Former are shared with the retrieval
 * graphs (vision-tower.ts, qformer.ts).
 *
 *   pixel_values ─ vision tower ─ image_embeds
 *   query_tokens ─ Q-Former (cross-attention to image_embeds) ─ qformer_output ─ language_projection ─ query_embeds
 */
import type { Blip2Common } from '../blip2-config.ts';
import { VISION_GRAPH } from '../../bundle/tensor-names.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { linear } from './layers.ts';
import { qformerEncoder, queryTokens } from './qformer.ts';
import { visionTokens, visionTower } from './vision-tower.ts';

export function buildVisionGraph(config: Blip2Common, languageHidden: number): GraphBuilder {
  const b = new GraphBuilder('blip2_vision_qformer');
  const v = config.vision;
  const side = v.imageSize;
  const pixels = b.input(VISION_GRAPH.input, 'float32', ['batch', 3, side, side]);
  const tokens = visionTokens(v);

  const image2d = b.scoped('vision', () => visionTower(b, v, pixels));
  b.output(b.op('Reshape', [image2d, b.constant([-1, tokens, v.hiddenSize], 'int64')]), VISION_GRAPH.imageEmbeds, 'float32', ['batch', tokens, v.hiddenSize]);

  const q = config.qformer;
  const queries = config.numQueryTokens;
  const qformer2d = b.scoped('qformer', () => queryOnlyQFormer(b, config, pixels, { hidden2d: image2d, tokens }));
  b.output(b.op('Reshape', [qformer2d, b.constant([-1, queries, q.hiddenSize], 'int64')]), VISION_GRAPH.qformerOutput, 'float32', ['batch', queries, q.hiddenSize]);

  const projected = b.scoped('language_projection', () => linear(b, qformer2d, 'language_projection', q.hiddenSize, languageHidden));
  b.output(b.op('Reshape', [projected, b.constant([-1, queries, languageHidden], 'int64')]), VISION_GRAPH.queryEmbeds, 'float32', ['batch', queries, languageHidden]);
  return b;
}

/** The Q-Former over the learned queries alone, one row per image of `pixels`: [batch·queries, hidden]. */
export function queryOnlyQFormer(b: GraphBuilder, config: Blip2Common, pixels: string, image: { hidden2d: string; tokens: number }): string {
  const q = config.qformer;
  const embeddings = b.scoped('embeddings', () => {
    const batch = b.op('Slice', [b.op('Shape', [pixels]), b.constant([0], 'int64'), b.constant([1], 'int64')]);
    return b.op('Reshape', [queryTokens(b, q, config.numQueryTokens, batch), b.constant([-1, q.hiddenSize], 'int64')]);
  });
  return qformerEncoder(b, q, { embeddings2d: embeddings, queries: config.numQueryTokens, image });
}
