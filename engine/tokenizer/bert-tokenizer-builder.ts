/**
 * Builds a lowercase WordPiece tokenizer in BERT's layout, as Hugging Face files (`tokenizer.json` for
 * @huggingface/tokenizers, `tokenizer_config.json`), the kind BLIP-2's Q-Former reads: `[PAD]` 0, `[UNK]` 1, `[CLS]` 2,
 * `[SEP]` 3, `[MASK]` 4, then every printable ASCII character alone and as a `##` continuation (so any ASCII word
 * still encodes, piece by piece), then the given words, lowercased. Encoding is `[CLS] … [SEP]`; characters outside
 * the vocabulary make their word `[UNK]`, as in BERT.
 */
import type { BuiltTokenizer } from './opt-tokenizer-builder.ts';

export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export interface BertTokenizer extends BuiltTokenizer {
  padTokenId: number;
}

/** "!" to "~": what BertPreTokenizer leaves of printable ASCII text (punctuation comes alone, letters lowercased). */
const PRINTABLE_ASCII = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c.toLowerCase() === c);

export function buildBertTokenizer(words: readonly string[]): BertTokenizer {
  const vocab: Record<string, number> = {};
  const add = (token: string) => {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  };
  [...BERT_SPECIAL_TOKENS, ...PRINTABLE_ASCII, ...PRINTABLE_ASCII.map((c) => `##${c}`), ...words.map((word) => word.toLowerCase())].forEach(add);
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BERT_SPECIAL_TOKENS.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    model_max_length: 512,
  };
  return { tokenizerJson, tokenizerConfig, vocabSize: Object.keys(vocab).length, padTokenId: vocab['[PAD]'] };
}
