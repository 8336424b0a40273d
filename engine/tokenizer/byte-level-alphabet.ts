/**
 * GPT-2's byte-level alphabet (`bytes_to_unicode`), which byte-level BPE tokenizers (GPT-2, OPT, RoBERTa) and the
 * ByteLevel pre-tokenizer/decoder of @huggingface/tokenizers share: every byte has one printable symbol — the
 * printable Latin-1 bytes stand for themselves, the other 68 bytes (controls, space, 0x7F–0xA0, 0xAD) take the
 * characters from U+0100 on, in byte order, so space is "Ġ" and "\n" is "Ċ".
 */

function printable(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

/** The 256 bytes in GPT-2's vocabulary order: the printable ones first, then the others, each group in byte order. */
export const BYTE_ORDER: readonly number[] = Object.freeze([
  ...Array.from({ length: 256 }, (_, byte) => byte).filter(printable),
  ...Array.from({ length: 256 }, (_, byte) => byte).filter((byte) => !printable(byte)),
]);

const SYMBOLS: readonly string[] = (() => {
  const symbols = new Array<string>(256);
  let next = 0x100;
  for (let byte = 0; byte < 256; byte++) symbols[byte] = printable(byte) ? String.fromCharCode(byte) : String.fromCharCode(next++);
  return symbols;
})();

/** The symbol that stands for `byte` (0–255). */
export function byteSymbol(byte: number): string {
  const symbol = SYMBOLS[byte];
  if (symbol === undefined) throw new RangeError(`${byte} is not a byte`);
  return symbol;
}

/** `text`'s UTF-8 bytes as byte-level symbols, one per byte. */
export function byteLevelSymbols(text: string): string[] {
  return [...Buffer.from(text, 'utf8')].map(byteSymbol);
}
