/**
 * The Q-Former (Blip2QFormerModel), reusable by every graph that needs it. Its input sequence per row is
 * `[queries ; text]`, where either part may be absent:
 *
 *   queries only (captioning, ITC image side): learned query tokens, cross-attention to the image every
 *     `cross_attention_frequency`-th layer, query FFN (`intermediate_query` / `output_query`);
 *   text only (ITC text side): BERT word + position embeddings, self-attention under the padding mask, text FFN
 *     (`intermediate` / `output`), no image;
 *   queries + text (ITM): one self-attention over the whole row (queries and text see each other, padding masked),
 *     then the rows split: the query positions go through cross-attention and the query FFN, the text positions
 *     through the text FFN — transformers' `query_length` split in Blip2QFormerLayer.
 *
 *   [queries ; text] ─ qformer.layernorm ─ M × (self-attn ─┬─ queries: cross-attn (every k-th) ─ query FFN ─┬─ concat)
 *                                                           └─ text: text FFN ─────────────────────────────────┘
 *
 * Attention blocks are BERT's post-LN: LN(dense(attention) + input). The padding mask is transformers' extended
 * mask, (1 − mask) · −10000 added to the scores after the 1/√d scaling. Activations are 2-D [rows, width].
 */
import type { QFormerConfig } from '../blip2-config.ts';
import type { QFormerTextConfig } from '../retrieval-config.ts';
import type { GraphBuilder } from '../onnx/graph-builder.ts';
import { activation, fixedShape4, layerNorm, linear, mergeHeads, scaledDotProductAttention, splitHeads } from './layers.ts';

/** What transformers' get_extended_attention_mask adds to the scores of a masked key. */
const MASKED_SCORE = -10000;

export interface QFormerImage {
  /** The vision tower's last hidden state as [imageBatch·tokens, encoderHidden]. */
  hidden2d: string;
  tokens: number;
}

export interface QFormerText {
  /** int64 [1]: the batch size (rows of input_ids). */
  batch: string;
  /** float [batch, 1, 1, queries + length]: 0 for positions that may be attended, −10000 for padding. */
  bias: string;
}

export interface QFormerInputs {
  /** [batch·(queries + length), hidden]: the embeddings before qformer.layernorm, queries first in each row. */
  embeddings2d: string;
  /** Query positions leading each row; 0 for text only. */
  queries: number;
  /** Present when rows carry text after the queries. */
  text?: QFormerText;
  /** Cross-attention source; required whenever queries are present (every Q-Former has cross-attention layers). */
  image?: QFormerImage;
}

/** query_tokens expanded to `batch` rows: [batch·queries, hidden] (before the layernorm). */
export function queryTokens(b: GraphBuilder, q: QFormerConfig, queries: number, batch: string): string {
  const d = q.hiddenSize;
  const shape = b.op('Concat', [batch, b.constant([queries, d], 'int64')], { axis: 0 });
  return b.op('Expand', [b.weight('query_tokens', [1, queries, d]), shape]);
}

/** Blip2TextEmbeddings: word_embeddings[ids] + position_embeddings[0 … length−1] as [batch, length, hidden]. */
export function textEmbeddings(b: GraphBuilder, q: QFormerConfig, t: QFormerTextConfig, inputIds: string): string {
  const d = q.hiddenSize;
  const words = b.op('Gather', [b.weight('embeddings.word_embeddings.weight', [t.vocabSize, d]), inputIds], { axis: 0 });
  const length = b.op('Slice', [b.op('Shape', [inputIds]), b.constant([1], 'int64'), b.constant([2], 'int64')]);
  const positions = b.op('Slice', [b.weight('embeddings.position_embeddings.weight', [t.maxPositionEmbeddings, d]), b.constant([0], 'int64'), length, b.constant([0], 'int64')]);
  return b.op('Add', [words, positions]);
}

/** [batch, 1, 1, queries + length] additive bias from an int64 text attention mask [batch, length] (queries always attend). */
export function paddingBias(b: GraphBuilder, mask: string, queries: number, batch: string): string {
  const textBias = b.op('Mul', [b.op('Sub', [b.constant([1], 'float32', []), b.op('Cast', [mask], { to: 1 })]), b.constant([MASKED_SCORE], 'float32', [])]);
  let bias = textBias;
  if (queries > 0) {
    const zeros = b.op('Expand', [b.constant([0], 'float32', [1, 1]), b.op('Concat', [batch, b.constant([queries], 'int64')], { axis: 0 })]);
    bias = b.op('Concat', [zeros, textBias], { axis: 1 });
  }
  return b.op('Unsqueeze', [bias, b.constant([1, 2], 'int64')]);
}

/** BERT-style post-LN attention block: LN(dense(attention(q from h, k/v from source)) + h). */
function attentionBlock(
  b: GraphBuilder,
  q: QFormerConfig,
  h: string,
  source: string,
  sourceWidth: number,
  prefix: string,
  queryShape: string,
  sourceShape: string,
  bias: string | undefined,
): string {
  const d = q.hiddenSize;
  const query = splitHeads(b, linear(b, h, `${prefix}.attention.query`, d, d), queryShape);
  const key = splitHeads(b, linear(b, source, `${prefix}.attention.key`, sourceWidth, d), sourceShape);
  const value = splitHeads(b, linear(b, source, `${prefix}.attention.value`, sourceWidth, d), sourceShape);
  const ctx = scaledDotProductAttention(b, query, key, value, { kind: 'divide', value: Math.sqrt(d / q.numHeads) }, bias);
  const dense = linear(b, mergeHeads(b, ctx, d), `${prefix}.output.dense`, d, d);
  return layerNorm(b, b.op('Add', [dense, h]), `${prefix}.output.LayerNorm`, d, q.layerNormEps);
}

/** intermediate(_query) → activation → output(_query).dense, + residual, LayerNorm. */
function feedForward(b: GraphBuilder, q: QFormerConfig, x: string, prefix: string, kind: 'query' | 'text'): string {
  const suffix = kind === 'query' ? '_query' : '';
  const up = activation(b, linear(b, x, `${prefix}.intermediate${suffix}.dense`, q.hiddenSize, q.intermediateSize), q.hiddenAct);
  const down = linear(b, up, `${prefix}.output${suffix}.dense`, q.intermediateSize, q.hiddenSize);
  return layerNorm(b, b.op('Add', [down, x]), `${prefix}.output${suffix}.LayerNorm`, q.hiddenSize, q.layerNormEps);
}

/** Runs qformer.layernorm and every layer; returns the last hidden state as [batch·(queries + length), hidden]. */
export function qformerEncoder(b: GraphBuilder, q: QFormerConfig, inputs: QFormerInputs): string {
  const d = q.hiddenSize;
  const headDim = d / q.numHeads;
  const { queries, text, image } = inputs;
  if (queries === 0 && !text) throw new Error('the Q-Former needs queries, text or both');
  if (queries > 0 && !image) throw new Error('Q-Former queries need an image to cross-attend to');

  const queryShape = queries > 0 ? fixedShape4(b, queries, q.numHeads, headDim) : undefined;
  const imageShape = image ? fixedShape4(b, image.tokens, q.numHeads, headDim) : undefined;
  // With text the row length is dynamic: [batch, −1, heads, headDim] and [batch, −1, hidden].
  const rowShape4 = text ? b.op('Concat', [text.batch, b.constant([-1, q.numHeads, headDim], 'int64')], { axis: 0 }) : queryShape!;
  const rowShape3 = text ? b.op('Concat', [text.batch, b.constant([-1, d], 'int64')], { axis: 0 }) : undefined;

  const crossAttention = (x: string, p: string) =>
    b.scoped('cross_attn', () => attentionBlock(b, q, x, image!.hidden2d, q.encoderHiddenSize, `${p}.crossattention`, queryShape!, imageShape!, undefined));

  let h = b.scoped('layernorm', () => layerNorm(b, inputs.embeddings2d, 'qformer.layernorm', d, q.layerNormEps));
  for (let i = 0; i < q.numLayers; i++) {
    const p = `qformer.encoder.layer.${i}`;
    const hasCross = i % q.crossAttentionFrequency === 0;
    h = b.scoped(`layers.${i}`, () => {
      const attended = b.scoped('self_attn', () => attentionBlock(b, q, h, h, d, `${p}.attention`, rowShape4, rowShape4, text?.bias));
      if (!text) {
        const x = hasCross ? crossAttention(attended, p) : attended;
        return b.scoped('ffn', () => feedForward(b, q, x, p, 'query'));
      }
      if (queries === 0) return b.scoped('text_ffn', () => feedForward(b, q, attended, p, 'text'));
      // transformers' query_length split: queries (cross-attention, query FFN) and text (text FFN) go separate ways.
      const rows = b.op('Reshape', [attended, rowShape3!]);
      const part = (start: number, end: number) =>
        b.op('Reshape', [b.op('Slice', [rows, b.constant([start], 'int64'), b.constant([end], 'int64'), b.constant([1], 'int64')]), b.constant([-1, d], 'int64')]);
      const queryPart = part(0, queries);
      const textPart = part(queries, Number.MAX_SAFE_INTEGER);
      const x = hasCross ? crossAttention(queryPart, p) : queryPart;
      const queryOut = b.scoped('ffn', () => feedForward(b, q, x, p, 'query'));
      const textOut = b.scoped('text_ffn', () => feedForward(b, q, textPart, p, 'text'));
      const joined = b.op('Concat', [b.op('Reshape', [queryOut, b.constant([-1, queries, d], 'int64')]), b.op('Reshape', [textOut, rowShape3!])], { axis: 1 });
      return b.op('Reshape', [joined, b.constant([-1, d], 'int64')]);
    });
  }
  return h;
}
