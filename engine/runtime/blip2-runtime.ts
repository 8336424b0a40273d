/**
 * The BLIP-2 model as the engine worker runs it: preprocessing, the vision session (ViT + Q-Former + projection),
 * and generation over the language model's sessions: OPT (embed + decoder with past, OptDecoderSession) or T5
 * (encoder + decoder with past, T5DecoderSession), picked by the bundle's architecture. Image side and text side are
 * separate calls, so callers can cache the projected query embeddings of an image and ask many questions about it
 * without re-running the vision tower.
 */
import { loadBundle, type Bundle } from '../bundle/load-bundle.ts';
import { VISION_GRAPH } from '../bundle/tensor-names.ts';
import type { BundleManifest, OptModelFacts, T5ModelFacts } from '../bundle/manifest.ts';
import type { DecoderSession } from '../generation/decoder-session.ts';
import { GlanceError, ErrorCode } from '../errors.ts';
import { generate } from '../generation/generate.ts';
import { resolveGenerationOptions } from '../generation/generation-options.ts';
import type { ImageProcessorConfig } from '../preprocess/image-processor-config.ts';
import type { TextTokenizer } from '../tokenizer/text-tokenizer.ts';
import { bundleImageConfig, loadBundleTokenizer, openBundleSessions, preprocessBatch, releaseSessions } from './bundle-runtime-parts.ts';
import { type ExecutionProvider, type ModelSession } from './onnx-runtime.ts';
import { commonHead, type LanguagePrefix } from './language-prefix.ts';
import { OptDecoderSession, type DecoderTimings } from './opt-decoder-session.ts';
import type { PromptRow } from './prompt-batch.ts';
import { T5DecoderSession } from './t5-decoder-session.ts';

export interface RuntimeOptions {
  provider: ExecutionProvider;
  threads?: number;
  maxPixels?: number;
  log?: (message: string) => void;
}

export interface ImageEmbedding {
  /** [numQueryTokens, languageHiddenSize] */
  queryEmbeds: Float32Array;
  timingsMs: { preprocess: number; vision: number };
}

export interface GenerationItem {
  queryEmbeds: Float32Array;
  /** The exact prompt; '' means a caption (OPT then sees only BOS, T5's encoder only `</s>` after the queries). */
  prompt: string;
  /**
   * OPT only: a kept language-model cache of queryEmbeds and the first prompt tokens (a GenerationOutput's `prefix`);
   * only the part of the prompt it does not cover is prefilled.
   */
  prefix?: LanguagePrefix;
  /**
   * OPT, with keepPrefix: the start of the prompt that later prompts about this image repeat (e.g. 'Question:');
   * a new prefix covers its tokens as far as the prompt starts with them (default '': BOS only).
   */
  prefixHead?: string;
}

export interface GenerationOutput {
  text: string;
  /**
   * As transformers' Blip2ForConditionalGeneration.generate returns it, without trailing padding: OPT: BOS then the
   * new tokens; T5: the decoder start token then the new tokens.
   */
  sequence: number[];
  finishReason: 'eos' | 'length';
  /** Positions the language model read before generating: the image's query tokens plus the prompt's token ids. */
  promptTokens: number;
  timingsMs: { prefill: number; decode: number };
  tokensPerSecond: number;
  /**
   * With `keepPrefix`: a new image prefix for this row (the queries and the prompt's `prefixHead` tokens), to pass
   * with later prompts about the image; absent when the row brought a prefix that already covers them.
   */
  prefix?: LanguagePrefix;
}

export interface GenerateCallbacks {
  signal?: AbortSignal;
  /**
   * OPT only: return each row's image prefix (queries + its `prefixHead` tokens) with the output, so a caller can
   * keep it for the next prompt about the image (rows that bring `prefix` skip what it covers).
   */
  keepPrefix?: boolean;
  onToken?: (row: number, token: number, text: string) => void;
}

/** The language models Blip2Runtime generates with. */
export type GenerativeModelFacts = OptModelFacts | T5ModelFacts;

/** A decoder session over some rows, of whichever family, with its timings. */
export type RuntimeDecoderSession = DecoderSession & { readonly timings: DecoderTimings };

export interface DecoderSessionOptions {
  /** T5 only: the decoder ids the prefill runs (default [decoder_start_token_id]). */
  decoderPrefix?: readonly number[];
  /** OPT only: keep each row's image prefix (OptDecoderSession.newPrefixes; PromptRow.headLength prompt tokens). */
  usePrefix?: boolean;
}

export class Blip2Runtime {
  readonly bundle: Bundle;
  readonly manifest: BundleManifest;
  readonly provider: 'cpu' | 'cuda';
  readonly #tokenizer: TextTokenizer;
  readonly #imageConfig: ImageProcessorConfig;
  readonly #sessions: Record<string, ModelSession>;
  readonly #maxPixels: number | undefined;
  readonly #model: GenerativeModelFacts;

  private constructor(bundle: Bundle, model: GenerativeModelFacts, tokenizer: TextTokenizer, imageConfig: ImageProcessorConfig, sessions: Record<string, ModelSession>, maxPixels: number | undefined) {
    this.bundle = bundle;
    this.manifest = bundle.manifest;
    this.#model = model;
    this.#tokenizer = tokenizer;
    this.#imageConfig = imageConfig;
    this.#sessions = sessions;
    this.provider = sessions.decoder.provider;
    this.#maxPixels = maxPixels;
  }

  static async open(bundleDir: string, options: RuntimeOptions): Promise<Blip2Runtime> {
    const bundle = await loadBundle(bundleDir);
    const { manifest } = bundle;
    const model = manifest.model;
    if (model.architecture !== 'blip2-opt' && model.architecture !== 'blip2-t5') {
      throw new GlanceError(ErrorCode.ModelKindMismatch, `${bundle.dir} holds a ${model.architecture} model (image-text matching and embeddings), which cannot generate text; captions and answers need a Blip2ForConditionalGeneration bundle.`);
    }
    const tokenizer = await loadBundleTokenizer(bundle);
    const imageConfig = bundleImageConfig(bundle);
    const sessions = await openBundleSessions(bundle, { provider: options.provider, threads: options.threads, log: options.log });
    return new Blip2Runtime(bundle, model, tokenizer, imageConfig, sessions, options.maxPixels);
  }

  get tokenizer(): TextTokenizer {
    return this.#tokenizer;
  }

  /** Preprocesses each image and runs the vision graph once over the batch. */
  async encodeImages(images: readonly Uint8Array[], signal?: AbortSignal): Promise<ImageEmbedding[]> {
    if (images.length === 0) return [];
    const m = this.#model;
    const side = m.imageSize;
    const { pixels, preprocessMs } = await preprocessBatch(images, this.#imageConfig, side, this.#maxPixels, signal);
    const embeds = await this.encodePixels(pixels, images.length);
    return embeds.queryEmbeds.map((queryEmbeds, i) => ({ queryEmbeds, timingsMs: { preprocess: preprocessMs[i], vision: embeds.visionMs / images.length } }));
  }

  /** Runs the vision graph on ready pixel values [count, 3, size, size]. */
  async encodePixels(pixels: Float32Array, count: number): Promise<{ queryEmbeds: Float32Array[]; imageEmbeds: Float32Array; qformerOutput: Float32Array; visionMs: number }> {
    const m = this.#model;
    const started = performance.now();
    const out = await this.#sessions.vision.run({ [VISION_GRAPH.input]: { dtype: 'float32', dims: [count, 3, m.imageSize, m.imageSize], data: pixels } });
    const visionMs = performance.now() - started;
    const all = out[VISION_GRAPH.queryEmbeds].data as Float32Array;
    const size = m.numQueryTokens * m.languageHiddenSize;
    return {
      queryEmbeds: Array.from({ length: count }, (_, i) => all.slice(i * size, (i + 1) * size)),
      imageEmbeds: out[VISION_GRAPH.imageEmbeds].data as Float32Array,
      qformerOutput: out[VISION_GRAPH.qformerOutput].data as Float32Array,
      visionMs,
    };
  }

  /** A decoder session over these rows (the generation loop drives it; tests use it for first-step logits). */
  decoderSession(items: readonly GenerationItem[]): RuntimeDecoderSession {
    return this.decoderSessionForIds(items.map((item) => ({ queryEmbeds: item.queryEmbeds, promptIds: this.promptIds(item.prompt) })));
  }

  /** The prompt's ids as the processor makes them (OPT: BOS + text; T5: text + `</s>`, and `[bos]` if that is empty). */
  promptIds(prompt: string): number[] {
    const ids = this.#tokenizer.encode(prompt).ids;
    const m = this.#model;
    // Blip2ForConditionalGeneration uses input_ids = [[text_config.bos_token_id]] when there is no text.
    if (ids.length === 0 && m.bosTokenId !== null) return [m.bosTokenId];
    return ids;
  }

  /** A decoder session over rows whose prompts are already token ids (special tokens included). */
  decoderSessionForIds(rows: readonly PromptRow[], options: DecoderSessionOptions = {}): RuntimeDecoderSession {
    const m = this.#model;
    const size = m.numQueryTokens * m.languageHiddenSize;
    rows.forEach((row, i) => {
      if (row.queryEmbeds.length !== size) {
        throw new GlanceError(ErrorCode.InvalidInput, `item ${i}: query embeddings have ${row.queryEmbeds.length} values, this model needs ${size} (${m.numQueryTokens}×${m.languageHiddenSize}); were they made by another model?`);
      }
    });
    if (m.architecture === 'blip2-t5') {
      if (options.usePrefix || rows.some((row) => row.prefix !== undefined)) {
        throw new GlanceError(ErrorCode.InvalidInput, "image prefixes apply to OPT models only: T5's encoder reads the queries and the prompt together, so no part of it can be kept per image.");
      }
      return new T5DecoderSession(this.#sessions.encoder, this.#sessions.decoder, m, rows, options.decoderPrefix);
    }
    return new OptDecoderSession(this.#sessions.embed, this.#sessions.decoder, m, rows, { usePrefix: options.usePrefix });
  }

  /** Generates for several (image, prompt) rows as one left-padded batch. */
  async generate(items: readonly GenerationItem[], userOptions: unknown, callbacks: GenerateCallbacks = {}): Promise<GenerationOutput[]> {
    if (items.length === 0) return [];
    const m = this.#model;
    const options = resolveGenerationOptions(userOptions, { eosTokenIds: m.eosTokenIds, padTokenId: m.padTokenId });
    const rows = items.map((item) => {
      const promptIds = this.promptIds(item.prompt);
      const headLength = callbacks.keepPrefix ? commonHead(this.promptIds(item.prefixHead ?? ''), promptIds) : 0;
      return { queryEmbeds: item.queryEmbeds, promptIds, headLength, ...(item.prefix ? { prefix: item.prefix } : {}) };
    });
    if (m.architecture === 'blip2-opt') checkSequenceFits(rows, options.maxNewTokens, m);
    // What transformers' BLIP-2 generate puts before the new tokens: OPT prepends BOS to the language model's output
    // (whose ids held no token: it was called with inputs_embeds); T5's decoder ids start with decoder_start_token_id,
    // which the logits processors see.
    const first = m.architecture === 'blip2-t5' ? m.decoderStartTokenId : m.bosTokenId;
    const prefixTokens = m.architecture === 'blip2-t5' ? [m.decoderStartTokenId] : [];
    const session = this.decoderSessionForIds(rows, { usePrefix: callbacks.keepPrefix === true });
    const streamed = items.map(() => [] as number[]);
    const onToken = callbacks.onToken
      ? (row: number, token: number) => {
          streamed[row].push(token);
          callbacks.onToken!(row, token, this.#tokenizer.decode(streamed[row], { skipSpecialTokens: true }));
        }
      : undefined;
    const started = performance.now();
    const result = await generate(session, { options, batchSize: items.length, prefixTokens, signal: callbacks.signal, onToken });
    // Decoding is everything after the prefill: the decoder steps and the search's own work between them (beam
    // search's scoring and cache reordering over numBeams rows is a large part of it).
    const { prefillMs } = session.timings;
    const decodeMs = session.timings.steps > 0 ? performance.now() - started - prefillMs : 0;
    // The prefill yields each row's first token; every later token comes from a decode step.
    const decodedTokens = result.sequences.reduce((sum, tokens) => sum + Math.max(tokens.length - 1, 0), 0);
    const tokensPerSecond = decodeMs > 0 ? decodedTokens / (decodeMs / 1000) : 0;
    return result.sequences.map((tokens, row) => ({
      text: this.#tokenizer.decode(tokens, { skipSpecialTokens: true }).trim(),
      sequence: [first, ...tokens],
      finishReason: result.finishReasons[row],
      promptTokens: m.numQueryTokens + rows[row].promptIds.length,
      timingsMs: { prefill: prefillMs, decode: decodeMs },
      tokensPerSecond,
      ...(callbacks.keepPrefix && session instanceof OptDecoderSession && session.newPrefixes[row] ? { prefix: session.newPrefixes[row] } : {}),
    }));
  }

  async close(): Promise<void> {
    await releaseSessions(this.#sessions);
  }
}

/** Queries + prompt + new tokens must fit the language model's learned positions. */
function checkSequenceFits(rows: readonly PromptRow[], maxNewTokens: number, m: OptModelFacts): void {
  const longest = Math.max(...rows.map((row) => row.promptIds.length));
  const room = m.maxPositions - m.numQueryTokens - longest;
  if (room < 1) {
    throw new GlanceError(ErrorCode.InvalidInput, `the prompt is ${longest} tokens long; this model reads at most ${m.maxPositions - m.numQueryTokens - 1} prompt tokens (${m.maxPositions} positions, ${m.numQueryTokens} of them for the image).`);
  }
  if (maxNewTokens > room) {
    throw new GlanceError(ErrorCode.GenerationInvalidOption, `maxNewTokens ${maxNewTokens} does not fit: with this prompt the model has room for ${room} new tokens (${m.maxPositions} positions).`);
  }
}
