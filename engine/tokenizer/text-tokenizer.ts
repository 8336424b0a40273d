/**
 * The text side of the model: encodes prompts and decodes generated ids with the checkpoint's own
 * `tokenizer.json` (+ `tokenizer_config.json`) through @huggingface/tokenizers, the one place that library is used.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { GlanceError, ErrorCode } from '../errors.ts';

export interface EncodedText {
  ids: number[];
  tokens: string[];
}

export class TextTokenizer {
  readonly #tokenizer: Tokenizer;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown) {
    try {
      this.#tokenizer = new Tokenizer(tokenizerJson as object, (tokenizerConfig ?? {}) as object);
    } catch (error) {
      throw new GlanceError(
        ErrorCode.CheckpointInvalidConfig,
        `tokenizer.json could not be loaded: ${(error as Error).message}. Use the tokenizer.json that ships with the checkpoint.`,
        undefined,
        { cause: error },
      );
    }
  }

  /** Encodes a prompt the way the model's processor does (special tokens from the post-processor, e.g. OPT's leading `</s>`). */
  encode(text: string): EncodedText {
    const encoding = this.#tokenizer.encode(text);
    return { ids: encoding.ids, tokens: encoding.tokens };
  }

  /** Decodes ids to text; with `skipSpecialTokens` BOS/EOS/pad and other special tokens are dropped. */
  decode(ids: readonly number[], options: { skipSpecialTokens: boolean }): string {
    return this.#tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens });
  }

  tokenToId(token: string): number | undefined {
    return this.#tokenizer.token_to_id(token);
  }
}
