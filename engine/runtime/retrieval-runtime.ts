/**
 * The image-text retrieval model (Blip2ForImageTextRetrieval, family blip2-itm) as the engine worker runs it:
 *
 * - `encodeImages`: preprocessing + the image_features graph once per batch → per image its ITC embeddings
 *   ([queries, embedDim], each row L2-normalised) and the vision tower's hidden state (the ITM head's image input);
 * - `embedTexts`: BertTokenizer ids ([CLS] … [SEP], right-padded) → text_features → [embedDim] per text;
 * - `match`: one image against several texts: the ITM head (`matchProbability` = softmax(logits)[1]) and the ITC
 *   similarity (max over the queries of the cosine between image query embedding and text embedding, no
 *   temperature), as transformers computes them with use_image_text_matching_head True and False.
 *
 * Texts longer than the Q-Former's positions (max_position_embeddings, special tokens included) are refused with
 * INVALID_INPUT, never silently truncated. An empty text is valid ([CLS] [SEP], as transformers encodes it).
 */
import { loadBundle, type Bundle } from '../bundle/load-bundle.ts';
import type { BundleManifest, ItmModelFacts } from '../bundle/manifest.ts';
import { RETRIEVAL_GRAPHS as N } from '../bundle/tensor-names.ts';
import { GlanceError, ErrorCode } from '../errors.ts';
import type { ImageProcessorConfig } from '../preprocess/image-processor-config.ts';
import type { TextTokenizer } from '../tokenizer/text-tokenizer.ts';
import { bundleImageConfig, loadBundleTokenizer, openBundleSessions, preprocessBatch, releaseSessions, throwIfAborted } from './bundle-runtime-parts.ts';
import type { RuntimeOptions } from './blip2-runtime.ts';
import { type ModelSession } from './onnx-runtime.ts';

/** Texts per text_features / itm run: bounds memory for long text lists (results do not depend on it). */
const TEXT_BATCH = 32;

export interface ImageFeatures {
  /** ITC: [numQueryTokens, embedDim], every query row L2-normalised. */
  imageEmbeds: Float32Array;
  /** The vision tower's last hidden state [visionTokens, visionHiddenSize] (the ITM head's image input). */
  visionHidden: Float32Array;
  timingsMs: { preprocess: number; vision: number };
}

export interface TextEmbedding {
  text: string;
  /** ITC: [embedDim], L2-normalised (text_projection of the Q-Former's [CLS] output). */
  embedding: Float32Array;
  /** Token count including [CLS] and [SEP]. */
  tokens: number;
}

export interface MatchResult {
  text: string;
  /** ITM: softmax of the two logits, index 1 (match). */
  matchProbability: number;
  /** ITC: max over the queries of the cosine similarity. */
  similarity: number;
  /** ITM logits [no match, match], averaged over the query outputs as transformers does. */
  itmLogits: [number, number];
  /** The query whose embedding is closest to the text. */
  bestQuery: number;
  tokens: number;
}

export class RetrievalRuntime {
  readonly bundle: Bundle;
  readonly manifest: BundleManifest;
  readonly provider: 'cpu' | 'cuda';
  readonly model: ItmModelFacts;
  readonly #tokenizer: TextTokenizer;
  readonly #imageConfig: ImageProcessorConfig;
  readonly #sessions: Record<string, ModelSession>;
  readonly #maxPixels: number | undefined;

  private constructor(bundle: Bundle, model: ItmModelFacts, tokenizer: TextTokenizer, imageConfig: ImageProcessorConfig, sessions: Record<string, ModelSession>, maxPixels: number | undefined) {
    this.bundle = bundle;
    this.manifest = bundle.manifest;
    this.model = model;
    this.#tokenizer = tokenizer;
    this.#imageConfig = imageConfig;
    this.#sessions = sessions;
    this.provider = sessions.image.provider;
    this.#maxPixels = maxPixels;
  }

  static async open(bundleDir: string, options: RuntimeOptions): Promise<RetrievalRuntime> {
    const bundle = await loadBundle(bundleDir);
    const { manifest } = bundle;
    const model = manifest.model;
    if (model.architecture !== 'blip2-itm') {
      throw new GlanceError(ErrorCode.ModelKindMismatch, `${bundle.dir} holds a ${model.architecture} model, which generates text; image-text matching and embeddings need a Blip2ForImageTextRetrieval bundle (e.g. Salesforce/blip2-itm-vit-g).`);
    }
    const tokenizer = await loadBundleTokenizer(bundle);
    const imageConfig = bundleImageConfig(bundle);
    const sessions = await openBundleSessions(bundle, { provider: options.provider, threads: options.threads, log: options.log });
    return new RetrievalRuntime(bundle, model, tokenizer, imageConfig, sessions, options.maxPixels);
  }

  get tokenizer(): TextTokenizer {
    return this.#tokenizer;
  }

  /** Preprocesses each image and runs the image_features graph once over the batch. */
  async encodeImages(images: readonly Uint8Array[], signal?: AbortSignal): Promise<ImageFeatures[]> {
    if (images.length === 0) return [];
    const side = this.model.imageSize;
    const { pixels, preprocessMs } = await preprocessBatch(images, this.#imageConfig, side, this.#maxPixels, signal);
    const out = await this.encodePixels(pixels, images.length);
    const embedSize = this.model.numQueryTokens * this.model.embedDim;
    const hiddenSize = this.model.visionTokens * this.model.visionHiddenSize;
    return images.map((_, i) => ({
      imageEmbeds: out.imageEmbeds.slice(i * embedSize, (i + 1) * embedSize),
      visionHidden: out.visionHidden.slice(i * hiddenSize, (i + 1) * hiddenSize),
      timingsMs: { preprocess: preprocessMs[i], vision: out.visionMs / images.length },
    }));
  }

  /** Runs image_features on ready pixel values [count, 3, size, size]: all images' outputs, concatenated. */
  async encodePixels(pixels: Float32Array, count: number): Promise<{ imageEmbeds: Float32Array; visionHidden: Float32Array; visionMs: number }> {
    const side = this.model.imageSize;
    const started = performance.now();
    const out = await this.#sessions.image.run({ [N.pixelValues]: { dtype: 'float32', dims: [count, 3, side, side], data: pixels } });
    return { imageEmbeds: out[N.imageEmbeds].data as Float32Array, visionHidden: out[N.visionHiddenState].data as Float32Array, visionMs: performance.now() - started };
  }

  /** Token ids of each text ([CLS] … [SEP]); refuses an empty list and texts longer than the model's positions. */
  tokenize(texts: readonly string[]): number[][] {
    if (texts.length === 0) throw new GlanceError(ErrorCode.InvalidInput, 'no texts given: give at least one text.');
    return texts.map((text, i) => {
      if (typeof text !== 'string') throw new GlanceError(ErrorCode.InvalidInput, `text ${i} is not a string.`);
      const ids = this.#tokenizer.encode(text).ids;
      if (ids.length > this.model.maxTextLength) {
        throw new GlanceError(
          ErrorCode.InvalidInput,
          `text ${i} ("${preview(text)}") is ${ids.length} tokens long with [CLS] and [SEP]; this model reads at most ${this.model.maxTextLength} (the Q-Former's max_position_embeddings). Shorten it; glance does not truncate.`,
          { index: i, tokens: ids.length, maxTokens: this.model.maxTextLength },
        );
      }
      return ids;
    });
  }

  /** ITC text embeddings, one [embedDim] per text. */
  async embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<TextEmbedding[]> {
    const rows = this.tokenize(texts);
    const all = await this.embedTokenIds(rows, signal);
    const dim = this.model.embedDim;
    return texts.map((text, i) => ({ text, embedding: all.slice(i * dim, (i + 1) * dim), tokens: rows[i].length }));
  }

  /** text_features over rows of token ids (right-padded per batch): [rows, embedDim] concatenated. */
  async embedTokenIds(rows: readonly number[][], signal?: AbortSignal): Promise<Float32Array> {
    const dim = this.model.embedDim;
    const result = new Float32Array(rows.length * dim);
    for (let start = 0; start < rows.length; start += TEXT_BATCH) {
      throwIfAborted(signal);
      const chunk = rows.slice(start, start + TEXT_BATCH);
      const { ids, mask } = this.#padded(chunk);
      const out = await this.#sessions.text.run({ [N.inputIds]: ids, [N.attentionMask]: mask });
      result.set(out[N.textEmbeds].data as Float32Array, start * dim);
    }
    return result;
  }

  /**
   * ITM logits [rows, 2] for rows of token ids against vision hidden states: `images` rows of
   * [visionTokens, visionHiddenSize] — either one image for every row, or one image per row.
   */
  async itmLogits(visionHidden: Float32Array, images: number, rows: readonly number[][], signal?: AbortSignal): Promise<Float32Array> {
    const m = this.model;
    const hiddenSize = m.visionTokens * m.visionHiddenSize;
    if (visionHidden.length !== images * hiddenSize) {
      throw new GlanceError(ErrorCode.InvalidInput, `vision hidden state has ${visionHidden.length} values; ${images} image(s) of this model need ${images * hiddenSize} (${m.visionTokens}×${m.visionHiddenSize} each).`);
    }
    if (images !== 1 && images !== rows.length) throw new GlanceError(ErrorCode.InvalidInput, `ITM pairs rows: ${images} images for ${rows.length} texts (give one image, or one per text).`);
    const result = new Float32Array(rows.length * 2);
    for (let start = 0; start < rows.length; start += TEXT_BATCH) {
      throwIfAborted(signal);
      const chunk = rows.slice(start, start + TEXT_BATCH);
      const vision = images === 1 ? visionHidden : visionHidden.subarray(start * hiddenSize, (start + chunk.length) * hiddenSize);
      const { ids, mask } = this.#padded(chunk);
      const out = await this.#sessions.itm.run({
        [N.visionHiddenState]: { dtype: 'float32', dims: [images === 1 ? 1 : chunk.length, m.visionTokens, m.visionHiddenSize], data: vision },
        [N.inputIds]: ids,
        [N.attentionMask]: mask,
      });
      result.set(out[N.itmLogits].data as Float32Array, start * 2);
    }
    return result;
  }

  /** One image against several texts: ITM match probability and ITC similarity per text, in order. */
  async match(image: Uint8Array, texts: readonly string[], signal?: AbortSignal): Promise<{ image: ImageFeatures; results: MatchResult[] }> {
    const rows = this.tokenize(texts);
    const [features] = await this.encodeImages([image], signal);
    return { image: features, results: await this.matchFeatures(features, texts, signal, rows) };
  }

  /** `match` for an image already encoded by `encodeImages`. */
  async matchFeatures(features: ImageFeatures, texts: readonly string[], signal?: AbortSignal, rows = this.tokenize(texts)): Promise<MatchResult[]> {
    const m = this.model;
    if (features.imageEmbeds.length !== m.numQueryTokens * m.embedDim) {
      throw new GlanceError(ErrorCode.InvalidInput, `image embeddings have ${features.imageEmbeds.length} values, this model makes ${m.numQueryTokens}×${m.embedDim}; were they made by another model?`);
    }
    const logits = await this.itmLogits(features.visionHidden, 1, rows, signal);
    const textEmbeds = await this.embedTokenIds(rows, signal);
    return texts.map((text, i) => {
      const { similarity, bestQuery } = itcSimilarity(features.imageEmbeds, textEmbeds.subarray(i * m.embedDim, (i + 1) * m.embedDim), m.numQueryTokens);
      const itm: [number, number] = [logits[2 * i], logits[2 * i + 1]];
      return { text, matchProbability: matchProbability(itm), similarity, itmLogits: itm, bestQuery, tokens: rows[i].length };
    });
  }

  #padded(rows: readonly number[][]): { ids: { dtype: 'int64'; dims: number[]; data: BigInt64Array }; mask: { dtype: 'int64'; dims: number[]; data: BigInt64Array } } {
    const length = Math.max(...rows.map((row) => row.length));
    const ids = new BigInt64Array(rows.length * length).fill(BigInt(this.model.padTokenId));
    const mask = new BigInt64Array(rows.length * length);
    rows.forEach((row, r) => {
      row.forEach((id, c) => {
        ids[r * length + c] = BigInt(id);
        mask[r * length + c] = 1n;
      });
    });
    return { ids: { dtype: 'int64', dims: [rows.length, length], data: ids }, mask: { dtype: 'int64', dims: [rows.length, length], data: mask } };
  }

  async close(): Promise<void> {
    await releaseSessions(this.#sessions);
  }
}

/** softmax([noMatch, match])[1]. */
export function matchProbability(logits: readonly [number, number]): number {
  return 1 / (1 + Math.exp(logits[0] - logits[1]));
}

/** ITC: max over the queries of imageEmbeds[query] · textEmbed (both normalised, so a cosine). */
export function itcSimilarity(imageEmbeds: Float32Array, textEmbed: Float32Array, queries: number): { similarity: number; bestQuery: number } {
  const dim = textEmbed.length;
  let similarity = -Infinity;
  let bestQuery = 0;
  for (let q = 0; q < queries; q++) {
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += imageEmbeds[q * dim + k] * textEmbed[k];
    if (dot > similarity) {
      similarity = dot;
      bestQuery = q;
    }
  }
  return { similarity, bestQuery };
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
