/**
 * BPE merges that make each listed word a single token, for tokenizers the project builds itself (the demo model's).
 *
 * Words are added one at a time. A word is first split the way the merges so far split it (BPE: repeatedly join the
 * adjacent pair of lowest rank, leftmost first), then new merges join those pieces left to right, and again until the
 * word comes out whole (a new merge may also apply further along the word, where the same pair recurs: "aaaa" with
 * a+a first gives aa+aa, joined next round; every round joins at least its first pair, so it ends). The new merges
 * rank after every earlier one, so they never change how an earlier word is split — BPE only reaches them once no
 * earlier merge applies, and an earlier word is one token by then. Every listed word therefore ends as one token.
 */

export interface WordMerges {
  /** Merges in rank order, each as its two parts. */
  merges: Array<[string, string]>;
  /** The token every merge makes, in the same order (new vocabulary entries, no repeats). */
  tokens: string[];
}

/** Splits `symbols` with the merges of `ranks` (pair key "left right" → rank) as BPE does. */
export function applyMerges(symbols: readonly string[], ranks: ReadonlyMap<string, number>): string[] {
  const parts = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const rank = ranks.get(`${parts[i]} ${parts[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, parts[best] + parts[best + 1]);
  }
}

/**
 * Merges for `words`, each given as its symbols (e.g. byte-level symbols). `known` are tokens already in the
 * vocabulary (the base symbols): a merge never makes one of them again.
 */
export function mergesForWords(words: ReadonlyArray<readonly string[]>, known: Iterable<string>): WordMerges {
  const ranks = new Map<string, number>();
  const vocabulary = new Set(known);
  const result: WordMerges = { merges: [], tokens: [] };
  for (const word of words) {
    for (let parts = applyMerges(word, ranks); parts.length > 1; parts = applyMerges(word, ranks)) {
      let joined = parts[0];
      for (const part of parts.slice(1)) {
        const key = `${joined} ${part}`;
        // The first pair cannot be a merge already (BPE would have applied it); a later one can, from an earlier
        // word: it keeps its rank.
        if (!ranks.has(key)) {
          ranks.set(key, result.merges.length);
          result.merges.push([joined, part]);
        }
        joined += part;
        if (!vocabulary.has(joined)) {
          vocabulary.add(joined);
          result.tokens.push(joined);
        }
      }
    }
  }
  return result;
}
