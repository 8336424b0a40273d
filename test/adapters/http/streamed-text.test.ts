// The streamed chat pieces, fed the texts so far that the tiny models' own tokenizers decode token by token (a
// character split over byte tokens shows as U+FFFD until its last byte; the clean-up of spaces turns `it '` into `it's`
// and `do n` into `don't` when the next token arrives): appended, the pieces are exactly the final text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatDeltas, settledText, withoutPartialCharacter } from '../../../adapters/http/streamed-text.ts';
import { TextTokenizer } from '../../../engine/tokenizer/text-tokenizer.ts';
import { TINY_OPT, TINY_T5 } from '../../helpers/fixtures.ts';

function tokenizer(dir: string): TextTokenizer {
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
  return new TextTokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
}

/** The text so far after each token of `text`, as the service streams it (decoded, special tokens skipped, trimmed). */
function textsSoFar(model: TextTokenizer, text: string): { texts: string[]; final: string } {
  const ids = [...model.encode(text).ids];
  const texts = ids.map((_, i) => model.decode(ids.slice(0, i + 1), { skipSpecialTokens: true }).trim());
  return { texts, final: texts.at(-1)! };
}

const SENTENCES = ["a café 🙂 in 日本 , and it 's not what I do n't know", "they 've said it ' s fine ; we 're here . ok ? yes !"];

describe('streamed chat pieces', () => {
  for (const [name, dir] of [['OPT', TINY_OPT], ['T5', TINY_T5]] as const) {
    it(`append to exactly the final text (${name} tokenizer), never with a half character`, () => {
      const model = tokenizer(dir);
      for (const sentence of SENTENCES) {
        const { texts, final } = textsSoFar(model, sentence);
        const deltas = new ChatDeltas();
        const pieces = texts.map((text) => deltas.next(text));
        pieces.push(deltas.finish(final));
        expect(pieces.join(''), sentence).toBe(final);
        for (const piece of pieces) expect(piece).not.toContain('\uFFFD');
        expect(pieces.filter((piece) => piece !== '').length, sentence).toBeGreaterThan(5); // it still streams
      }
    });
  }

  it('the OPT tokenizer does rewrite earlier text (what a naive delta would lose)', () => {
    const { texts } = textsSoFar(tokenizer(TINY_OPT), SENTENCES[0]);
    expect(texts.some((text) => text.endsWith('\uFFFD'))).toBe(true);
    expect(texts.some((text, i) => i > 0 && !text.startsWith(texts[i - 1]))).toBe(true);
  });

  it('holds back only a trailing half character and a space that a contraction may still remove', () => {
    expect(withoutPartialCharacter('日\uFFFD\uFFFD')).toBe('日');
    expect(settledText('a cat')).toBe('a cat');
    expect(settledText("it '")).toBe('it');
    expect(settledText('I do n')).toBe('I do');
    expect(settledText('a man\uFFFD')).toBe('a man');
    expect(settledText('a nice')).toBe('a nice');
  });
});
