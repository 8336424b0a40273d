/**
 * One generation's view of the OPT language model: prefill over [queries ; padded prompt], then one token per row
 * per step, with the KV cache, the attention mask and the positions kept here. Implements the generation loop's
 * DecoderSession, so the loop itself stays free of ONNX.
 */
import { OPT_GRAPHS } from '../bundle/tensor-names.ts';
import type { DecoderSession } from '../generation/generate.ts';
import { KvCache } from './kv-cache.ts';
import type { ModelSession, TensorData } from './onnx-runtime.ts';
import { checkPrefixShape, commonHead, copyPrefixRow, usablePrefixTokens, type LanguagePrefix } from './language-prefix.ts';
import { buildPrefill, buildTextAfterPrefix, padTextLeft, type PromptRow } from './prompt-batch.ts';

export interface OptModelFacts {
  numQueryTokens: number;
  languageHiddenSize: number;
  numLayers: number;
  numHeads: number;
  headDim: number;
  vocabSize: number;
  padTokenId: number;
}

/**
 * What a session measures itself: the prefill's time and how many decode steps ran. The time after the prefill is the
 * caller's to measure (Blip2Runtime.generate): it includes the search's own work between steps.
 */
export interface DecoderTimings {
  prefillMs: number;
  steps: number;
}

export class OptDecoderSession implements DecoderSession {
  readonly vocabSize: number;
  readonly timings: DecoderTimings = { prefillMs: 0, steps: 0 };
  readonly #embed: ModelSession;
  readonly #decoder: ModelSession;
  readonly #facts: OptModelFacts;
  readonly #rows: readonly PromptRow[];
  readonly #cache: KvCache;
  readonly #usePrefix: boolean;
  /** [rows][positions] 0/1 */
  #mask: Uint8Array[] = [];
  /**
   * Prefix mode, after prefill(): each input row's new prefix, covering the queries and its first headLength prompt
   * tokens; undefined where the row brought a kept prefix that already covers them.
   */
  newPrefixes: (LanguagePrefix | undefined)[] = [];

  /**
   * usePrefix: keep each row's prefix (queries + its first headLength prompt tokens) in `newPrefixes`. Rows that
   * bring a kept `prefix` prefill only what it does not cover. Without kept prefixes the prefill is one run over
   * [queries ; text], as transformers does it, with or without usePrefix.
   */
  constructor(embed: ModelSession, decoder: ModelSession, facts: OptModelFacts, rows: readonly PromptRow[], options: { usePrefix?: boolean } = {}) {
    this.#embed = embed;
    this.#decoder = decoder;
    this.#facts = facts;
    this.#rows = rows;
    this.vocabSize = facts.vocabSize;
    this.#cache = new KvCache(facts.numLayers, facts.numHeads, facts.headDim, rows.length);
    this.#usePrefix = options.usePrefix === true || rows.some((row) => row.prefix !== undefined);
    rows.forEach((row, r) => {
      if (row.prefix) checkPrefixShape(row.prefix, facts.numLayers, facts.numHeads, facts.numQueryTokens, facts.headDim, r);
    });
  }

  async #embedTokens(ids: BigInt64Array, rows: number, length: number): Promise<Float32Array> {
    const out = await this.#embed.run({ [OPT_GRAPHS.inputIds]: { dtype: 'int64', dims: [rows, length], data: ids } });
    return out[OPT_GRAPHS.inputsEmbeds].data as Float32Array;
  }

  /** Runs the decoder on `sequence` new positions per row of `cache` (default the session's), updating that cache. */
  async #run(embeds: Float32Array, sequence: number, mask: BigInt64Array, positions: BigInt64Array, cache: KvCache = this.#cache): Promise<Float32Array> {
    const rows = cache.rows;
    const feeds: Record<string, TensorData> = {
      [OPT_GRAPHS.inputsEmbeds]: { dtype: 'float32', dims: [rows, sequence, this.#facts.languageHiddenSize], data: embeds },
      [OPT_GRAPHS.attentionMask]: { dtype: 'int64', dims: [rows, mask.length / rows], data: mask },
      [OPT_GRAPHS.positionIds]: { dtype: 'int64', dims: [rows, sequence], data: positions },
      ...cache.feeds(),
    };
    const outputs = await this.#decoder.run(feeds);
    cache.append(outputs);
    return outputs[OPT_GRAPHS.logits].data as Float32Array;
  }

  async prefill(): Promise<Float32Array> {
    const started = performance.now();
    const usable = this.#rows.map((row) => (row.prefix ? usablePrefixTokens(row.prefix, row.promptIds) : undefined));
    const logits = usable.every((u) => u === undefined) ? await this.#prefillWhole() : await this.#prefillAfterPrefixes(usable);
    this.timings.prefillMs += performance.now() - started;
    return logits;
  }

  /** One run over [queries ; left padding ; text] per row. */
  async #prefillWhole(): Promise<Float32Array> {
    const f = this.#facts;
    const padded = padTextLeft(this.#rows, f.padTokenId);
    const textEmbeds = await this.#embedTokens(padded.ids, this.#rows.length, padded.maxLength);
    const inputs = buildPrefill(this.#rows, textEmbeds, padded.maxLength, f.numQueryTokens, f.languageHiddenSize);
    this.#mask = this.#rows.map((_, r) => Uint8Array.from(inputs.mask.subarray(r * inputs.sequence, (r + 1) * inputs.sequence), Number));
    const logits = await this.#run(inputs.embeds, inputs.sequence, inputs.mask, inputs.positions);
    if (this.#usePrefix) this.#keepPrefixes(this.#rows, padded.maxLength, 0);
    return logits;
  }

  /**
   * Seeds the cache with every row's first `seeded` prompt tokens' prefix (the fewest any row can use; rows without
   * a kept prefix get a queries-only one computed here, once per distinct queryEmbeds array), then prefills the rest
   * of each prompt after it.
   */
  async #prefillAfterPrefixes(usable: readonly (number | undefined)[]): Promise<Float32Array> {
    const f = this.#facts;
    const missing = [...new Set(this.#rows.filter((row) => !row.prefix).map((row) => row.queryEmbeds))];
    const computed = new Map<Float32Array, LanguagePrefix>();
    if (missing.length > 0) {
      const embeds = new Float32Array(missing.length * f.numQueryTokens * f.languageHiddenSize);
      missing.forEach((queryEmbeds, i) => embeds.set(queryEmbeds.subarray(0, f.numQueryTokens * f.languageHiddenSize), i * f.numQueryTokens * f.languageHiddenSize));
      const mask = new BigInt64Array(missing.length * f.numQueryTokens).fill(1n);
      const positions = BigInt64Array.from({ length: missing.length * f.numQueryTokens }, (_, i) => BigInt(i % f.numQueryTokens));
      const prefixCache = new KvCache(f.numLayers, f.numHeads, f.headDim, missing.length);
      await this.#run(embeds, f.numQueryTokens, mask, positions, prefixCache);
      missing.forEach((queryEmbeds, i) => computed.set(queryEmbeds, copyPrefixRow(prefixCache, i, [[0, f.numQueryTokens]], [])));
    }
    const seeded = Math.min(...usable.map((u) => u ?? 0));
    const lead = f.numQueryTokens + seeded;
    const prefixes = this.#rows.map((row) => row.prefix ?? computed.get(row.queryEmbeds)!);
    this.#cache.seedRows(prefixes.map((p) => p.keys), prefixes.map((p) => p.values), lead);
    const rest = this.#rows.map((row) => ({ ...row, promptIds: row.promptIds.slice(seeded) }));
    const padded = padTextLeft(rest, f.padTokenId);
    const textEmbeds = await this.#embedTokens(padded.ids, rest.length, padded.maxLength);
    const inputs = buildTextAfterPrefix(rest, padded.maxLength, lead);
    const total = lead + padded.maxLength;
    this.#mask = this.#rows.map((_, r) => Uint8Array.from(inputs.mask.subarray(r * total, (r + 1) * total), Number));
    const logits = await this.#run(textEmbeds, padded.maxLength, inputs.mask, inputs.positions);
    if (this.#usePrefix) this.#keepPrefixes(rest, padded.maxLength, seeded);
    return logits;
  }

  /**
   * After a prefill whose cache holds, per row, [queries and `seeded` prompt tokens ; left padding ; the rest of the
   * prompt (`rest[r].promptIds`, padded to maxLength)]: copies out the prefix of each row that needs a new one.
   */
  #keepPrefixes(rest: readonly PromptRow[], maxLength: number, seeded: number): void {
    const lead = this.#facts.numQueryTokens + seeded;
    this.newPrefixes = this.#rows.map((row, r) => {
      const head = Math.min(row.headLength ?? 0, row.promptIds.length - 1);
      if (row.prefix && commonHead(row.prefix.tokenIds, row.promptIds.slice(0, head)) >= head) return undefined;
      const textStart = lead + maxLength - rest[r].promptIds.length;
      return copyPrefixRow(this.#cache, r, [[0, lead], [textStart, textStart + head - seeded]], row.promptIds.slice(0, head));
    });
  }

  async step(tokens: Int32Array): Promise<Float32Array> {
    const rows = this.#cache.rows;
    const embeds = await this.#embedTokens(BigInt64Array.from(tokens, (t) => BigInt(t)), rows, 1);
    const total = this.#mask[0].length + 1;
    const mask = new BigInt64Array(rows * total);
    const positions = new BigInt64Array(rows);
    this.#mask = this.#mask.map((rowMask, r) => {
      const next = new Uint8Array(total);
      next.set(rowMask);
      next[total - 1] = 1;
      let count = 0;
      for (let i = 0; i < total; i++) {
        mask[r * total + i] = BigInt(next[i]);
        count += next[i];
      }
      positions[r] = BigInt(count - 1);
      return next;
    });
    const logits = await this.#run(embeds, 1, mask, positions);
    this.timings.steps++;
    return logits;
  }

  async reorder(source: Int32Array): Promise<void> {
    this.#cache.reorder(source);
    this.#mask = Array.from(source, (s) => this.#mask[s]);
  }
}
