/**
 * The demo models glance makes itself: the synthesized checkpoints are byte-identical from one synthesis to the next
 * (fixed seed), agree with their built tokenizers on every id, are made again when a folder is incomplete, and go
 * through the normal conversion into bundles the engine runs (caption demo: captions; retrieval demo: match, embed),
 * made once and reused after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../engine/engine.ts';
import { TextTokenizer } from '../../../engine/tokenizer/text-tokenizer.ts';
import { CONVERTED_MARKER } from '../../../src/models/converted-checkpoint.ts';
import { SYNTHESIZED_MARKER, demoCheckpoint, recipeHash } from '../../../src/models/demo/demo-checkpoint.ts';
import { demoRecipe } from '../../../src/models/demo/demo-recipes.ts';
import { DEMO_MODEL_ID, DEMO_RETRIEVAL_MODEL_ID, demoModel } from '../../../src/models/demo-model.ts';
import { IMAGES } from '../../helpers/fixtures.ts';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-demo-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const readJsonFile = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const tokenizerOf = (dir: string) => new TextTokenizer(readJsonFile(join(dir, 'tokenizer.json')), readJsonFile(join(dir, 'tokenizer_config.json')));

describe('the demo checkpoints', () => {
  it('are byte-identical from two syntheses, in Hugging Face layout', async () => {
    for (const kind of ['caption', 'retrieval'] as const) {
      const recipe = await demoRecipe(kind);
      const first = await demoCheckpoint(join(work, `twice-a-${kind}`), recipe);
      const second = await demoCheckpoint(join(work, `twice-b-${kind}`), recipe);
      const files = readdirSync(first).sort();
      expect(files).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'preprocessor_config.json', 'processor_config.json', 'tokenizer.json', 'tokenizer_config.json']));
      expect(readdirSync(second).sort()).toEqual(files);
      for (const file of files) expect(readFileSync(join(first, file)).equals(readFileSync(join(second, file))), file).toBe(true);
    }
  });

  it('take their weights from the seed', async () => {
    const recipe = await demoRecipe('caption');
    const other = { ...recipe, seed: recipe.seed + 1 };
    expect(recipeHash(other)).not.toBe(recipeHash(recipe));
    const a = await demoCheckpoint(join(work, 'seed-a'), recipe);
    const b = await demoCheckpoint(join(work, 'seed-b'), other);
    expect(readFileSync(join(a, 'model.safetensors')).equals(readFileSync(join(b, 'model.safetensors')))).toBe(false);
  });

  it('caption demo: OPT ids as the tokenizer has them (BOS </s> prepended, EOS = "\\n", pad), one embedding row per token', async () => {
    const dir = await demoCheckpoint(join(work, 'ids'), await demoRecipe('caption'));
    const text = readJsonFile(join(dir, 'config.json')).text_config;
    const tokenizer = tokenizerOf(dir);
    expect(tokenizer.encode('').ids).toEqual([text.bos_token_id]);
    expect(tokenizer.encode('\n').ids).toEqual([text.bos_token_id, text.eos_token_id]);
    expect(tokenizer.tokenToId('<pad>')).toBe(text.pad_token_id);
    expect(Object.keys(readJsonFile(join(dir, 'tokenizer.json')).model.vocab)).toHaveLength(text.vocab_size);
    expect(readJsonFile(join(dir, 'generation_config.json'))).toMatchObject({ bos_token_id: text.bos_token_id, eos_token_id: text.eos_token_id, pad_token_id: text.pad_token_id });
  });

  it('retrieval demo: a BERT vocabulary as large as the Q-Former\'s, [PAD] its pad id', async () => {
    const dir = await demoCheckpoint(join(work, 'ids'), await demoRecipe('retrieval'));
    const qformer = readJsonFile(join(dir, 'config.json')).qformer_config;
    expect(Object.keys(readJsonFile(join(dir, 'tokenizer.json')).model.vocab)).toHaveLength(qformer.vocab_size);
    expect(tokenizerOf(dir).tokenToId('[PAD]')).toBe(qformer.pad_token_id);
  });

  it('are made again when the folder is there without its marker (a partial or foreign folder)', async () => {
    const dataDir = join(work, 'partial');
    const recipe = await demoRecipe('caption');
    const dir = join(dataDir, 'demo', `${recipe.name}-${recipeHash(recipe)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.safetensors'), 'truncated');
    expect(await demoCheckpoint(dataDir, recipe)).toBe(dir);
    expect(statSync(join(dir, SYNTHESIZED_MARKER)).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'model.safetensors')).length).toBeGreaterThan(100_000);
    expect(readdirSync(join(dataDir, 'demo')).filter((name) => name.includes('.partial-'))).toEqual([]);
  });
});

describe('demoModel', () => {
  it('caption demo: converted once into the data directory like a checkpoint; the engine captions with it', async () => {
    const dataDir = join(work, 'data-caption');
    const demo = await demoModel(dataDir);
    expect(demo).toMatchObject({ modelId: DEMO_MODEL_ID, source: 'demo' });
    expect(demo.bundleDir.startsWith(join(dataDir, 'models', 'demo-tiny-blip2-opt-'))).toBe(true);
    const engine = await Engine.open({ bundleDir: demo.bundleDir, threads: 1 });
    try {
      expect(engine.manifest.model).toMatchObject({ architecture: 'blip2-opt', eosTokenIds: [202], bosTokenId: 2, padTokenId: 1 });
      const [image] = await engine.encodeImages([readFileSync(join(IMAGES, 'astronaut.png'))]);
      const [first] = await engine.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 12 });
      expect(first.text.trim().length).toBeGreaterThan(0);
      const [again] = await engine.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 12 });
      expect(again.text).toBe(first.text);
    } finally {
      await engine.close();
    }
    const markerTime = statSync(join(demo.bundleDir, CONVERTED_MARKER)).mtimeMs;
    expect(await demoModel(dataDir)).toEqual(demo);
    expect(statSync(join(demo.bundleDir, CONVERTED_MARKER)).mtimeMs).toBe(markerTime);
  });

  it('retrieval demo: a Blip2ForImageTextRetrieval bundle that matches and embeds', async () => {
    const demo = await demoModel(join(work, 'data-retrieval'), { kind: 'retrieval' });
    expect(demo).toMatchObject({ modelId: DEMO_RETRIEVAL_MODEL_ID, source: 'demo' });
    const config = (await demoRecipe('retrieval')).config as { image_text_hidden_size: number };
    const engine = await Engine.open({ bundleDir: demo.bundleDir, threads: 1 });
    try {
      expect(engine.manifest.model.architecture).toBe('blip2-itm');
      const results = await engine.match(readFileSync(join(IMAGES, 'rocket.jpg')), ['a rocket', 'a cat on a couch']);
      expect(results).toHaveLength(2);
      for (const result of results) {
        expect(result.matchProbability).toBeGreaterThan(0);
        expect(result.matchProbability).toBeLessThan(1);
        expect(Math.abs(result.similarity)).toBeLessThanOrEqual(1 + 1e-6);
      }
      const [text] = await engine.embedTexts(['a rocket']);
      expect(text.embedding).toHaveLength(config.image_text_hidden_size);
    } finally {
      await engine.close();
    }
  });
});
