/**
 * Text streamed while it is still being generated, from the service's "text so far" after each token. That text is not
 * always a prefix of the final text: the tokenizer decodes a character whose bytes are still partly to come as U+FFFD,
 * and its clean-up of spaces rewrites the end of the text when a token completes a contraction (`it '` becomes `it's`
 * once `s` arrives, `do n` becomes `don't`). The `token` events of /v1/caption and /v1/ask carry the whole text so far
 * (a later event replaces an earlier one) without a half-decoded last character. The `delta.content` pieces of a
 * streamed chat completion are appended by the client and can never be taken back, so a piece only covers text that
 * later tokens cannot change, and the rest follows with the final text.
 */

/** What may follow the last space and still become a contraction whose space the clean-up removes (`n't`, `'s`, …). */
const OPEN_CONTRACTION = new Set(['', "'", 'n', "n'", "'v", "'r"]);

/** The text so far without a trailing U+FFFD: a character whose bytes are still partly to come. */
export function withoutPartialCharacter(text: string): string {
  return text.replace(/\uFFFD+$/, '');
}

/** The part of `text` (the text so far) that no later token can change. */
export function settledText(text: string): string {
  const whole = withoutPartialCharacter(text);
  const lastSpace = whole.lastIndexOf(' ');
  if (lastSpace >= 0 && OPEN_CONTRACTION.has(whole.slice(lastSpace + 1))) return whole.slice(0, lastSpace);
  return whole;
}

export class ChatDeltas {
  #sent = '';

  /** The new piece for the text so far ('' when nothing new is settled). */
  next(textSoFar: string): string {
    return this.#take(settledText(textSoFar));
  }

  /** The last piece: the rest of the final text. */
  finish(finalText: string): string {
    return this.#take(finalText);
  }

  /** Everything sent so far. */
  get sent(): string {
    return this.#sent;
  }

  #take(text: string): string {
    if (!text.startsWith(this.#sent)) return '';
    const piece = text.slice(this.#sent.length);
    this.#sent = text;
    return piece;
  }
}
