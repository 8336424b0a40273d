/** The lowercase WordPiece tokenizer glance builds for its retrieval demo, loaded through the engine's tokenizer. */
import { describe, expect, it } from 'vitest';
import { buildBertTokenizer } from '../../../engine/tokenizer/bert-tokenizer-builder.ts';
import { TextTokenizer } from '../../../engine/tokenizer/text-tokenizer.ts';

const built = buildBertTokenizer(['photo', 'of', 'a', 'dog', 'Rocket']);
const tokenizer = new TextTokenizer(built.tokenizerJson, built.tokenizerConfig);

describe('the built BERT tokenizer', () => {
  it('has BERT\'s special tokens first: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4', () => {
    expect(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((token) => tokenizer.tokenToId(token))).toEqual([0, 1, 2, 3, 4]);
    expect(built.padTokenId).toBe(0);
  });

  it('lowercases, wraps in [CLS] … [SEP], splits punctuation, and keeps listed words whole', () => {
    expect(tokenizer.encode('A photo of a Dog!').tokens).toEqual(['[CLS]', 'a', 'photo', 'of', 'a', 'dog', '!', '[SEP]']);
    expect(tokenizer.encode('ROCKET').tokens).toEqual(['[CLS]', 'rocket', '[SEP]']);
  });

  it('spells other ASCII words in pieces and makes a word with an unknown character [UNK]', () => {
    expect(tokenizer.encode('cat42').tokens).toEqual(['[CLS]', 'c', '##a', '##t', '##4', '##2', '[SEP]']);
    expect(tokenizer.encode('dog 🐶').tokens).toEqual(['[CLS]', 'dog', '[UNK]', '[SEP]']);
    expect(tokenizer.decode(tokenizer.encode('a photo of cat42').ids, { skipSpecialTokens: true })).toBe('a photo of cat42');
  });
});
