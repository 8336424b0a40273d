/**
 * What the two demo models are made of, all of it in this repository: a tiny BLIP-2 config (JSON beside this file),
 * the BlipImageProcessor settings of the real models, a tokenizer built in code from the caption words, and the seed
 * of the random weights. `caption` is a Blip2ForConditionalGeneration with an OPT language model (glance start,
 * caption, ask); `retrieval` a Blip2ForImageTextRetrieval (glance match, embed). The configs' token ids and
 * vocabulary sizes are checked against the tokenizers, so the two can never disagree.
 */
import { readFile } from 'node:fs/promises';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { buildBertTokenizer } from '../../../engine/tokenizer/bert-tokenizer-builder.ts';
import { buildOptTokenizer, type BuiltTokenizer } from '../../../engine/tokenizer/opt-tokenizer-builder.ts';
import { CAPTION_WORDS } from './caption-words.ts';

export type DemoKind = 'caption' | 'retrieval';

export interface DemoRecipe {
  kind: DemoKind;
  /** The model id glance reports (e.g. GET /v1/models). */
  modelId: string;
  /** Stem of the folder names of the synthesized checkpoint and its bundle. */
  name: string;
  seed: number;
  config: Record<string, unknown>;
  preprocessor: Record<string, unknown>;
  tokenizer: BuiltTokenizer;
}

const PARTS: Record<DemoKind, { modelId: string; name: string; configFile: string; seed: number }> = {
  caption: { modelId: 'demo/tiny-blip2-opt', name: 'tiny-blip2-opt', configFile: 'tiny-blip2-opt.config.json', seed: 17 },
  retrieval: { modelId: 'demo/tiny-blip2-itm', name: 'tiny-blip2-itm', configFile: 'tiny-blip2-itm.config.json', seed: 18 },
};

export const DEMO_MODEL_IDS: Readonly<Record<DemoKind, string>> = { caption: PARTS.caption.modelId, retrieval: PARTS.retrieval.modelId };

async function readDemoJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(new URL(file, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** Throws unless the config's `key` in `part` is `expected` (what the tokenizer says). */
function expectConfig(configFile: string, part: Record<string, unknown>, key: string, expected: number): void {
  if (part[key] !== expected) {
    throw new GlanceError(
      ErrorCode.CheckpointInvalidConfig,
      `The demo config src/models/demo/${configFile} has ${key} ${String(part[key])}, but its tokenizer (built from src/models/demo/caption-words.ts) needs ${expected}; set ${key} to ${expected} there.`,
      { configFile, key, expected },
    );
  }
}

export async function demoRecipe(kind: DemoKind): Promise<DemoRecipe> {
  const { configFile, ...parts } = PARTS[kind];
  const config = await readDemoJson(configFile);
  const preprocessor = await readDemoJson('preprocessor_config.json');
  if (kind === 'caption') {
    const tokenizer = buildOptTokenizer(CAPTION_WORDS);
    const text = config['text_config'] as Record<string, unknown>;
    expectConfig(configFile, text, 'vocab_size', tokenizer.vocabSize);
    expectConfig(configFile, text, 'bos_token_id', tokenizer.bosTokenId);
    expectConfig(configFile, text, 'eos_token_id', tokenizer.eosTokenId);
    expectConfig(configFile, text, 'pad_token_id', tokenizer.padTokenId);
    return { kind, ...parts, config, preprocessor, tokenizer };
  }
  const tokenizer = buildBertTokenizer(CAPTION_WORDS);
  const qformer = config['qformer_config'] as Record<string, unknown>;
  expectConfig(configFile, qformer, 'vocab_size', tokenizer.vocabSize);
  expectConfig(configFile, qformer, 'pad_token_id', tokenizer.padTokenId);
  return { kind, ...parts, config, preprocessor, tokenizer };
}
