// How the model's text is shown (and given to screen readers, and copied as alt text): the model writes whatever
// tokens it likes, and a random-weight model writes control characters and half-decoded bytes, which a browser draws
// as boxes or "�" glyphs and a screen reader reads as noise. So, in this order:
// 1. control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) other than the whitespace ones (tab, line
//    feed, vertical tab, form feed, carriage return), U+FFFD (bytes the tokenizer could not decode) and lone surrogates
//    are removed;
// 2. every run of whitespace (as JavaScript's \s: tabs and line breaks included) becomes one space;
// 3. spaces at either end are trimmed.

const UNPRINTABLE = /(?![\t\n\v\f\r])[\p{Cc}\p{Cs}\uFFFD]/gu;

/** The text as the page shows it (see above). */
export function displayText(raw) {
  return String(raw).replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim();
}
