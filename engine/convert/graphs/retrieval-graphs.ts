/**
 * The three graphs of a Blip2ForImageTextRetrieval bundle (family blip2-itm). They are split so that an image is
 * encoded once and then matched against any number of texts, and so that text embeddings for a search index need no
 * image at all:
 *
 *   image_features  pixel_values ─ vision tower ─┬─ vision_hidden_state [images, tokens, visionHidden]  (→ itm)
 *                                                 └─ Q-Former (queries only) ─ vision_projection ─ L2-normalise
 *                                                    ─ image_embeds [images, queries, embedDim]          (ITC)
 *   text_features   input_ids, attention_mask ─ Q-Former (text only, no image) ─ [CLS] (position 0)
 *                   ─ text_projection ─ L2-normalise ─ text_embeds [texts, embedDim]                      (ITC)
 *   itm             vision_hidden_state, input_ids, attention_mask ─ Q-Former ([queries ; text], cross-attention
 *                   for the queries) ─ itm_head on each query output ─ mean over the queries ─ itm_logits [pairs, 2]
 *
 * ITC similarity (max over the queries of image_embeds · text_embed) is a few dot products and is done by the
 * runtime. The itm graph pairs rows: text row i is matched with image row i, or with the single image when
 * vision_hidden_state has one row (the image's keys/values are then computed once and broadcast to every text).
 * Texts are right-padded with the padding id and masked, as transformers' BertTokenizer pads them.
 */
import type { RetrievalBlip2Config } from '../blip2-config.ts';
import { RETRIEVAL_GRAPHS as N } from '../../bundle/tensor-names.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { linear } from './layers.ts';
import { paddingBias, qformerEncoder, queryTokens, textEmbeddings } from './qformer.ts';
import { queryOnlyQFormer } from './vision-graph.ts';
import { visionTokens, visionTower } from './vision-tower.ts';

/** torch.nn.functional.normalize(x, dim=-1): x / max(‖x‖₂, 1e-12), rows of a 2-D tensor. */
function l2Normalize(b: GraphBuilder, x: string): string {
  const norm = b.op('ReduceL2', [x], { axes: [-1], keepdims: 1 });
  return b.op('Div', [x, b.op('Max', [norm, b.constant([1e-12], 'float32', [])])]);
}

function batchOf(b: GraphBuilder, tensor: string): string {
  return b.op('Slice', [b.op('Shape', [tensor]), b.constant([0], 'int64'), b.constant([1], 'int64')]);
}

export function buildImageFeaturesGraph(config: RetrievalBlip2Config): GraphBuilder {
  const b = new GraphBuilder('blip2_itm_image_features');
  const v = config.vision;
  const q = config.qformer;
  const queries = config.numQueryTokens;
  const tokens = visionTokens(v);
  const pixels = b.input(N.pixelValues, 'float32', ['batch', 3, v.imageSize, v.imageSize]);
  const image2d = b.scoped('vision', () => visionTower(b, v, pixels));
  b.output(b.op('Reshape', [image2d, b.constant([-1, tokens, v.hiddenSize], 'int64')]), N.visionHiddenState, 'float32', ['batch', tokens, v.hiddenSize]);
  const qformer2d = b.scoped('qformer', () => queryOnlyQFormer(b, config, pixels, { hidden2d: image2d, tokens }));
  const embeds = b.scoped('vision_projection', () => l2Normalize(b, linear(b, qformer2d, 'vision_projection', q.hiddenSize, config.embedDim)));
  b.output(b.op('Reshape', [embeds, b.constant([-1, queries, config.embedDim], 'int64')]), N.imageEmbeds, 'float32', ['batch', queries, config.embedDim]);
  return b;
}

export function buildTextFeaturesGraph(config: RetrievalBlip2Config): GraphBuilder {
  const b = new GraphBuilder('blip2_itm_text_features');
  const q = config.qformer;
  const d = q.hiddenSize;
  const ids = b.input(N.inputIds, 'int64', ['batch', 'sequence']);
  const mask = b.input(N.attentionMask, 'int64', ['batch', 'sequence']);
  const { hidden, batch } = b.scoped('qformer', () => {
    const batch = batchOf(b, ids);
    const embeddings = b.scoped('embeddings', () => b.op('Reshape', [textEmbeddings(b, q, config.text, ids), b.constant([-1, d], 'int64')]));
    const bias = b.scoped('attention_bias', () => paddingBias(b, mask, 0, batch));
    return { hidden: qformerEncoder(b, q, { embeddings2d: embeddings, queries: 0, text: { batch, bias } }), batch };
  });
  const embeds = b.scoped('text_projection', () => {
    const rows = b.op('Reshape', [hidden, b.op('Concat', [batch, b.constant([-1, d], 'int64')], { axis: 0 })]);
    const cls = b.op('Reshape', [b.op('Slice', [rows, b.constant([0], 'int64'), b.constant([1], 'int64'), b.constant([1], 'int64')]), b.constant([-1, d], 'int64')]);
    return l2Normalize(b, linear(b, cls, 'text_projection', d, config.embedDim));
  });
  b.output(embeds, N.textEmbeds, 'float32', ['batch', config.embedDim]);
  return b;
}

export function buildItmGraph(config: RetrievalBlip2Config): GraphBuilder {
  const b = new GraphBuilder('blip2_itm_head');
  const v = config.vision;
  const q = config.qformer;
  const d = q.hiddenSize;
  const queries = config.numQueryTokens;
  const tokens = visionTokens(v);
  const vision = b.input(N.visionHiddenState, 'float32', ['image_batch', tokens, v.hiddenSize]);
  const ids = b.input(N.inputIds, 'int64', ['batch', 'sequence']);
  const mask = b.input(N.attentionMask, 'int64', ['batch', 'sequence']);
  const hidden = b.scoped('qformer', () => {
    const batch = batchOf(b, ids);
    const embeddings = b.scoped('embeddings', () => {
      const joined = b.op('Concat', [queryTokens(b, q, queries, batch), textEmbeddings(b, q, config.text, ids)], { axis: 1 });
      return b.op('Reshape', [joined, b.constant([-1, d], 'int64')]);
    });
    const bias = b.scoped('attention_bias', () => paddingBias(b, mask, queries, batch));
    const image = { hidden2d: b.op('Reshape', [vision, b.constant([-1, v.hiddenSize], 'int64')]), tokens };
    return qformerEncoder(b, q, { embeddings2d: embeddings, queries, text: { batch, bias }, image });
  });
  const logits = b.scoped('itm_head', () => {
    const rows = b.op('Reshape', [hidden, b.op('Concat', [batchOf(b, ids), b.constant([-1, d], 'int64')], { axis: 0 })]);
    const queryRows = b.op('Reshape', [b.op('Slice', [rows, b.constant([0], 'int64'), b.constant([queries], 'int64'), b.constant([1], 'int64')]), b.constant([-1, d], 'int64')]);
    const perQuery = b.op('Reshape', [linear(b, queryRows, 'itm_head', d, 2), b.constant([-1, queries, 2], 'int64')]);
    return b.op('ReduceMean', [perQuery], { axes: [1], keepdims: 0 });
  });
  b.output(logits, N.itmLogits, 'float32', ['batch', 2]);
  return b;
}
