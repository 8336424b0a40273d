/** BPE merges that make listed words single tokens: BPE's own splitting, and words that overlap in every way. */
import { describe, expect, it } from 'vitest';
import { applyMerges, mergesForWords } from '../../../engine/tokenizer/word-merges.ts';

const ranks = (pairs: Array<[string, string]>) => new Map(pairs.map(([a, b], i) => [`${a} ${b}`, i]));

describe('applyMerges', () => {
  it.each([
    { symbols: ['a', 'b', 'c'], merges: [['b', 'c'], ['a', 'b']] as Array<[string, string]>, parts: ['a', 'bc'] },
    { symbols: ['a', 'b', 'c'], merges: [['a', 'b'], ['b', 'c']] as Array<[string, string]>, parts: ['ab', 'c'] },
    { symbols: ['a', 'a', 'a'], merges: [['a', 'a']] as Array<[string, string]>, parts: ['aa', 'a'] },
    { symbols: ['a', 'a', 'a', 'a'], merges: [['a', 'a'], ['aa', 'aa']] as Array<[string, string]>, parts: ['aaaa'] },
    { symbols: ['x', 'y'], merges: [] as Array<[string, string]>, parts: ['x', 'y'] },
  ])('$symbols with $merges → $parts', ({ symbols, merges, parts }) => {
    expect(applyMerges(symbols, ranks(merges))).toEqual(parts);
  });
});

describe('mergesForWords', () => {
  it('makes each word one token, even words that overlap, repeat or contain one another', () => {
    const words = ['ab', 'bc', 'abc', 'cab', 'aaaa', 'aa', 'bcab', 'c', 'abcabc'].map((word) => [...word]);
    const { merges, tokens } = mergesForWords(words, ['a', 'b', 'c']);
    const merged = ranks(merges);
    for (const word of words) expect(applyMerges(word, merged)).toEqual([word.join('')]);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens).not.toContain('a');
    // every merge joins two tokens of the vocabulary into a third
    const vocabulary = new Set(['a', 'b', 'c', ...tokens]);
    for (const [left, right] of merges) expect([vocabulary.has(left), vocabulary.has(right), vocabulary.has(left + right)]).toEqual([true, true, true]);
  });
});
