/**
 * Builds a byte-level BPE tokenizer in OPT's layout, as Hugging Face files (`tokenizer.json` for
 * @huggingface/tokenizers, `tokenizer_config.json`): `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3, then GPT-2's 256 byte
 * symbols in GPT-2's order (so "\n", OPT's end of sequence, is id 202 as in OPT's own vocabulary), then one token per
 * merge. The merges make each given word after a space one token ("Ġdog", the word inside a text; at the very start
 * of a text it splits into smaller pieces), so text drawn from the vocabulary at random reads mostly as words;
 * anything else still encodes, byte by byte. Encoding prepends `</s>` as OPT's tokenizer does; decoding maps the byte
 * symbols back to UTF-8.
 */
import { BYTE_ORDER, byteLevelSymbols, byteSymbol } from './byte-level-alphabet.ts';
import { mergesForWords } from './word-merges.ts';

export const OPT_SPECIAL_TOKENS = ['<s>', '<pad>', '</s>', '<unk>'] as const;

export interface BuiltTokenizer {
  /** tokenizer.json */
  tokenizerJson: Record<string, unknown>;
  /** tokenizer_config.json */
  tokenizerConfig: Record<string, unknown>;
  /** Number of tokens: the model's vocabulary must have at least this many rows. */
  vocabSize: number;
}

export interface OptTokenizer extends BuiltTokenizer {
  bosTokenId: number;
  padTokenId: number;
  /** "\n": OPT's end of sequence. */
  eosTokenId: number;
}

const BYTE_LEVEL = { add_prefix_space: false, trim_offsets: true, use_regex: true };

function specialToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true };
}

export function buildOptTokenizer(words: readonly string[]): OptTokenizer {
  const bytes = BYTE_ORDER.map(byteSymbol);
  const spellings = words.map((word) => byteLevelSymbols(` ${word}`));
  const { merges, tokens } = mergesForWords(spellings, bytes);
  const vocab: Record<string, number> = {};
  for (const token of [...OPT_SPECIAL_TOKENS, ...bytes, ...tokens]) vocab[token] = Object.keys(vocab).length;
  const [bos, pad, eos] = [vocab['</s>'], vocab['<pad>'], vocab[byteSymbol(0x0a)]];
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: OPT_SPECIAL_TOKENS.map((token) => specialToken(vocab[token], token)),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...BYTE_LEVEL },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '</s>': { id: '</s>', ids: [bos], tokens: ['</s>'] } },
    },
    decoder: { type: 'ByteLevel', ...BYTE_LEVEL },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([left, right]) => `${left} ${right}`),
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'GPT2Tokenizer',
    add_bos_token: true,
    add_prefix_space: false,
    bos_token: '</s>',
    eos_token: '</s>',
    pad_token: '<pad>',
    unk_token: '<unk>',
    clean_up_tokenization_spaces: false,
    model_max_length: 2048,
  };
  return { tokenizerJson, tokenizerConfig, vocabSize: Object.keys(vocab).length, bosTokenId: bos, padTokenId: pad, eosTokenId: eos };
}
