/**
 * The OPT-style byte-level BPE tokenizer glance builds for its demo model, loaded through the engine's own tokenizer
 * (@huggingface/tokenizers): byte symbols and special ids agree with OPT's real vocabulary (the shared fixture's
 * tokenizer.json), `</s>` is prepended, UTF-8 round-trips byte for byte, and every listed word is one token.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { byteSymbol } from '../../../engine/tokenizer/byte-level-alphabet.ts';
import { buildOptTokenizer } from '../../../engine/tokenizer/opt-tokenizer-builder.ts';
import { TextTokenizer } from '../../../engine/tokenizer/text-tokenizer.ts';
import { CAPTION_WORDS } from '../../../src/models/demo/caption-words.ts';
import { TINY_OPT, readJson } from '../../helpers/fixtures.ts';

const built = buildOptTokenizer(CAPTION_WORDS);
const tokenizer = new TextTokenizer(built.tokenizerJson, built.tokenizerConfig);
const opt = new TextTokenizer(readJson(join(TINY_OPT, 'tokenizer.json')), readJson(join(TINY_OPT, 'tokenizer_config.json')));

describe('the built OPT tokenizer', () => {
  it('has OPT\'s special ids: </s> 2 (BOS), <pad> 1, and "\\n" (EOS) 202', () => {
    expect([built.bosTokenId, built.padTokenId, built.eosTokenId]).toEqual([2, 1, 202]);
    expect(tokenizer.tokenToId('</s>')).toBe(opt.tokenToId('</s>'));
    expect(tokenizer.tokenToId('<pad>')).toBe(opt.tokenToId('<pad>'));
    expect(tokenizer.encode('\n').ids).toEqual(opt.encode('\n').ids);
  });

  it('gives every byte symbol the id OPT\'s vocabulary gives it', () => {
    // ASCII through the library's own ByteLevel mapping (one byte, one symbol; OPT has no merge for a lone byte)
    for (let byte = 0; byte < 0x80; byte++) expect(tokenizer.encode(String.fromCharCode(byte)).ids).toEqual(opt.encode(String.fromCharCode(byte)).ids);
    for (let byte = 0; byte < 256; byte++) expect(tokenizer.tokenToId(byteSymbol(byte))).toBe(opt.tokenToId(byteSymbol(byte)));
    // é is C3 A9: the symbols Ã and © (printable Latin-1 bytes stand for themselves); the tokenizer has no merge for them.
    expect(tokenizer.encode('é').tokens).toEqual(['</s>', 'Ã', '©']);
  });

  it('encodes "a dog\\n" as </s>, a, Ġdog, Ċ', () => {
    const encoded = tokenizer.encode('a dog\n');
    expect(encoded.tokens).toEqual(['</s>', 'a', 'Ġdog', 'Ċ']);
    expect(encoded.ids[0]).toBe(2);
    expect(encoded.ids[1]).toBe(opt.tokenToId('a'));
    expect(encoded.ids[3]).toBe(202);
  });

  it('round-trips any UTF-8 text, special tokens skipped', () => {
    for (const text of ['a dog\n', 'Ünïcödé, 日本語 and emoji 🐶🚀👩‍🚀', '\t\u0000\u007f tabs\r\nand controls', '  two  spaces ', 'naïve café']) {
      expect(tokenizer.decode(tokenizer.encode(text).ids, { skipSpecialTokens: true })).toBe(text);
    }
    expect(tokenizer.decode(tokenizer.encode('a cat').ids, { skipSpecialTokens: false })).toBe('</s>a cat');
  });

  it('makes every caption word after a space one token', () => {
    for (const word of CAPTION_WORDS) expect(tokenizer.encode(` ${word}`).tokens, word).toEqual(['</s>', `Ġ${word}`]);
    expect(built.vocabSize).toBe(Object.keys((built.tokenizerJson.model as { vocab: object }).vocab).length);
  });
});
