/**
 * One generation's view of a T5 (Flan-T5) language model, as Blip2ForConditionalGeneration drives it:
 *
 * - prefill: the encoder reads [query embeddings ; embeddings of the prompt ids] per row. Prompts are padded on the
 *   RIGHT with pad_token_id (as the T5 processor pads), mask [1 × queries ; 1 × prompt ; 0 × padding]. The encoder
 *   graph also returns every decoder layer's cross-attention keys/values, kept here for the whole generation. Then the
 *   decoder runs on [decoder_start_token_id] with an empty self-attention past.
 * - step: one token per row through the decoder, with the self-attention KV cache (kv-cache.ts, same tensor names as
 *   OPT's), the cross keys/values and the encoder mask.
 * - reorder: the self KV cache, the cross keys/values and the encoder mask follow the rows (beam expansion and
 *   reordering, dropping finished rows).
 *
 * Implements the generation loop's DecoderSession; the loop passes [decoder_start_token_id] as prefixTokens.
 */
import { T5_GRAPHS } from '../bundle/tensor-names.ts';
import type { DecoderSession } from '../generation/decoder-session.ts';
import { KvCache } from './kv-cache.ts';
import type { ModelSession, TensorData } from './onnx-runtime.ts';
import type { DecoderTimings } from './opt-decoder-session.ts';
import type { PromptRow } from './prompt-batch.ts';

export interface T5SessionFacts {
  numQueryTokens: number;
  languageHiddenSize: number;
  numDecoderLayers: number;
  numHeads: number;
  headDim: number;
  vocabSize: number;
  padTokenId: number;
  decoderStartTokenId: number;
}

export interface EncoderInputs {
  /** [rows, queries, hidden] */
  queryEmbeds: Float32Array;
  /** [rows, textLength] right-padded prompt ids */
  ids: BigInt64Array;
  /** [rows, queries + textLength] */
  mask: BigInt64Array;
  textLength: number;
}

/** The encoder's inputs for a batch: queries, right-padded prompt ids, mask [1 × queries ; 1 × prompt ; 0 × padding]. */
export function buildEncoderInputs(rows: readonly PromptRow[], numQueries: number, hidden: number, padTokenId: number): EncoderInputs {
  const textLength = Math.max(...rows.map((row) => row.promptIds.length));
  const sequence = numQueries + textLength;
  const queryEmbeds = new Float32Array(rows.length * numQueries * hidden);
  const ids = new BigInt64Array(rows.length * textLength).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(rows.length * sequence);
  rows.forEach((row, r) => {
    queryEmbeds.set(row.queryEmbeds.subarray(0, numQueries * hidden), r * numQueries * hidden);
    row.promptIds.forEach((id, i) => (ids[r * textLength + i] = BigInt(id)));
    mask.fill(1n, r * sequence, r * sequence + numQueries + row.promptIds.length);
  });
  return { queryEmbeds, ids, mask, textLength };
}

/** New row i = old row source[i] of a row-major buffer with rowSize values per row. */
function gatherRows<T extends Float32Array | BigInt64Array>(buffer: T, rowSize: number, source: Int32Array, make: (length: number) => T): T {
  const out = make(source.length * rowSize);
  for (let i = 0; i < source.length; i++) out.set(buffer.subarray(source[i] * rowSize, (source[i] + 1) * rowSize) as never, i * rowSize);
  return out;
}

export class T5DecoderSession implements DecoderSession {
  readonly vocabSize: number;
  readonly timings: DecoderTimings = { prefillMs: 0, steps: 0 };
  readonly #encoder: ModelSession;
  readonly #decoder: ModelSession;
  readonly #facts: T5SessionFacts;
  readonly #rows: readonly PromptRow[];
  readonly #cache: KvCache;
  readonly #decoderPrefix: readonly number[];
  #encoderLength = 0;
  /** [rows, encoderLength] */
  #encoderMask: BigInt64Array = new BigInt64Array(0);
  #crossKeys: Float32Array[] = [];
  #crossValues: Float32Array[] = [];
  #encoderHiddenStates: Float32Array | undefined;

  /**
   * `decoderPrefix`: the decoder ids the prefill runs (default [decoder_start_token_id]); a longer prefix recomputes
   * those positions without the cache (tests compare that with cached decoding).
   */
  constructor(encoder: ModelSession, decoder: ModelSession, facts: T5SessionFacts, rows: readonly PromptRow[], decoderPrefix?: readonly number[]) {
    this.#decoderPrefix = decoderPrefix ?? [facts.decoderStartTokenId];
    this.#encoder = encoder;
    this.#decoder = decoder;
    this.#facts = facts;
    this.#rows = rows;
    this.vocabSize = facts.vocabSize;
    this.#cache = new KvCache(facts.numDecoderLayers, facts.numHeads, facts.headDim, rows.length);
  }

  /** The encoder's output after prefill, [rows, queries + text, hidden] (parity checks). */
  get encoderHiddenStates(): Float32Array | undefined {
    return this.#encoderHiddenStates;
  }

  /** Runs the decoder on `tokens` ([rows, tokens.length / rows], row-major) after the cached ones. */
  async #runDecoder(tokens: ArrayLike<number>): Promise<Float32Array> {
    const f = this.#facts;
    const rows = this.#cache.rows;
    const crossDims = [rows, f.numHeads, this.#encoderLength, f.headDim];
    const feeds: Record<string, TensorData> = {
      [T5_GRAPHS.decoderInputIds]: { dtype: 'int64', dims: [rows, tokens.length / rows], data: BigInt64Array.from(Array.from(tokens), (t) => BigInt(t)) },
      [T5_GRAPHS.encoderAttentionMask]: { dtype: 'int64', dims: [rows, this.#encoderLength], data: this.#encoderMask },
      ...this.#cache.feeds(),
    };
    for (let layer = 0; layer < f.numDecoderLayers; layer++) {
      feeds[T5_GRAPHS.crossKey(layer)] = { dtype: 'float32', dims: crossDims, data: this.#crossKeys[layer] };
      feeds[T5_GRAPHS.crossValue(layer)] = { dtype: 'float32', dims: crossDims, data: this.#crossValues[layer] };
    }
    const outputs = await this.#decoder.run(feeds);
    this.#cache.append(outputs);
    return outputs[T5_GRAPHS.logits].data as Float32Array;
  }

  async prefill(): Promise<Float32Array> {
    const started = performance.now();
    const f = this.#facts;
    const rows = this.#rows.length;
    const inputs = buildEncoderInputs(this.#rows, f.numQueryTokens, f.languageHiddenSize, f.padTokenId);
    this.#encoderLength = f.numQueryTokens + inputs.textLength;
    this.#encoderMask = inputs.mask;
    const encoded = await this.#encoder.run({
      [T5_GRAPHS.queryEmbeds]: { dtype: 'float32', dims: [rows, f.numQueryTokens, f.languageHiddenSize], data: inputs.queryEmbeds },
      [T5_GRAPHS.inputIds]: { dtype: 'int64', dims: [rows, inputs.textLength], data: inputs.ids },
      [T5_GRAPHS.attentionMask]: { dtype: 'int64', dims: [rows, this.#encoderLength], data: inputs.mask },
    });
    this.#encoderHiddenStates = encoded[T5_GRAPHS.encoderHiddenStates].data as Float32Array;
    this.#crossKeys = Array.from({ length: f.numDecoderLayers }, (_, layer) => encoded[T5_GRAPHS.crossKey(layer)].data as Float32Array);
    this.#crossValues = Array.from({ length: f.numDecoderLayers }, (_, layer) => encoded[T5_GRAPHS.crossValue(layer)].data as Float32Array);
    const logits = await this.#runDecoder(Array.from({ length: rows }, () => this.#decoderPrefix).flat());
    this.timings.prefillMs += performance.now() - started;
    return logits;
  }

  async step(tokens: Int32Array): Promise<Float32Array> {
    const logits = await this.#runDecoder(tokens);
    this.timings.steps++;
    return logits;
  }

  async reorder(source: Int32Array): Promise<void> {
    const f = this.#facts;
    this.#cache.reorder(source);
    const crossRow = f.numHeads * this.#encoderLength * f.headDim;
    const floats = (length: number) => new Float32Array(length);
    this.#crossKeys = this.#crossKeys.map((keys) => gatherRows(keys, crossRow, source, floats));
    this.#crossValues = this.#crossValues.map((values) => gatherRows(values, crossRow, source, floats));
    this.#encoderMask = gatherRows(this.#encoderMask, this.#encoderLength, source, (length) => new BigInt64Array(length));
  }
}
