/**
 * `glance match` and `glance embed` as users run them (node bin/glance.js, engine in a worker thread) on the tiny
 * retrieval fixture: transformers' numbers come back, in human and JSON form; the wrong kind of bundle and bad
 * input give coded errors and exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES, TINY_ITM, readJson } from '../helpers/fixtures.ts';
import { glance, jsonLines } from '../helpers/run-glance.ts';
import { convertTinyOpt } from '../helpers/tiny-bundle.ts';

const goldens = readJson(join(TINY_ITM, 'goldens.json'));
const texts: string[] = goldens.texts.texts;
let work: string;
let bundle: string;
let optBundle: { dir: string; cleanup: () => void };


beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'glance-itm-cli-'));
  bundle = join(work, 'bundle');
  const [converted, opt] = await Promise.all([glance('convert', TINY_ITM, '--out', bundle, '--no-progress'), convertTinyOpt()]);
  optBundle = opt;
  expect(converted.stderr).toContain('wrote');
  expect(converted.code).toBe(0);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  optBundle?.cleanup();
});

describe('glance match', () => {
  it('--json prints one line per text with the golden match probability and similarity', async () => {
    const result = await glance('match', join(IMAGES, 'astronaut.png'), ...texts, '--model', bundle, '--json', '--threads', '1');
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => l.text)).toEqual(texts);
    lines.forEach((line, t) => {
      expect(line.image).toBe(join(IMAGES, 'astronaut.png'));
      expect(Math.abs(line.matchProbability - goldens.itm_pairs_batch1[`astronaut.png|${texts[t]}`].prob_match)).toBeLessThan(1e-5);
      expect(Math.abs(line.similarity - goldens.itc.logits_per_image[0][t])).toBeLessThan(1e-5);
      expect(line.itmLogits).toHaveLength(2);
    });
  });

  it('prints one human line per text: probability, similarity, the text quoted (so an empty text shows)', async () => {
    const result = await glance('match', join(IMAGES, 'chelsea.png'), 'a photo of a cat', '', '--model', bundle);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const p = goldens.itm_pairs_batch1['chelsea.png|a photo of a cat'].prob_match.toFixed(4);
    const s = goldens.itc.logits_per_image[1][0].toFixed(4);
    expect(lines[0]).toBe(`match ${p}  similarity ${s}  "a photo of a cat"`);
    expect(lines[1]).toMatch(/^match 0\.\d{4} {2}similarity -?\d\.\d{4} {2}""$/);
  });

  it('refuses a caption bundle with MODEL_KIND_MISMATCH', async () => {
    const result = await glance('match', join(IMAGES, 'chelsea.png'), 'a cat', '--model', optBundle.dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MODEL_KIND_MISMATCH.*Blip2ForImageTextRetrieval/);
  });

  it('refuses a text longer than the model reads with INVALID_INPUT', async () => {
    const result = await glance('match', join(IMAGES, 'chelsea.png'), Array.from({ length: 600 }, () => 'cat').join(' '), '--model', bundle);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/INVALID_INPUT.*at most 512/);
  });

  it('refuses a file that is not an image with IMAGE_UNSUPPORTED', async () => {
    const path = join(work, 'notes.txt');
    writeFileSync(path, 'not an image');
    const result = await glance('match', path, 'a cat', '--model', bundle);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/IMAGE_UNSUPPORTED/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('glance embed', () => {
  it('prints images then texts as JSON lines with normalised embeddings', async () => {
    const result = await glance('embed', join(IMAGES, 'astronaut.png'), '--text', texts[0], '--text', texts[1], '--model', bundle, '--json');
    expect(result.code).toBe(0);
    const [image, first, second] = jsonLines(result.stdout);
    expect(image).toMatchObject({ kind: 'image', source: join(IMAGES, 'astronaut.png'), queries: 32, dim: 16 });
    expect(image.embeddings).toHaveLength(32);
    goldens.itc.image_embeds.first.forEach((v: number, k: number) => expect(Math.abs(image.embeddings[0][k] - v)).toBeLessThan(1e-5));
    expect(first).toMatchObject({ kind: 'text', source: texts[0], dim: 16, tokens: 7 });
    expect(second.source).toBe(texts[1]);
    goldens.itc.text_embeds.first.forEach((v: number, k: number) => expect(Math.abs(first.embedding[k] - v)).toBeLessThan(1e-5));
    expect(Math.abs(Math.hypot(...second.embedding) - 1)).toBeLessThan(1e-5);
  });

  it('refuses a call with nothing to embed, and a caption bundle', async () => {
    const empty = await glance('embed', '--model', bundle);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/INVALID_INPUT/);
    const opt = await glance('embed', '--text', 'a cat', '--model', optBundle.dir);
    expect(opt.code).toBe(1);
    expect(opt.stderr).toMatch(/MODEL_KIND_MISMATCH/);
  });
});

describe('caption and ask on a retrieval bundle', () => {
  it('are refused with MODEL_KIND_MISMATCH', async () => {
    const caption = await glance('caption', join(IMAGES, 'chelsea.png'), '--model', bundle);
    expect(caption.code).toBe(1);
    expect(caption.stderr).toMatch(/MODEL_KIND_MISMATCH.*does not generate text/);
    const ask = await glance('ask', join(IMAGES, 'chelsea.png'), 'what is it?', '--model', bundle);
    expect(ask.code).toBe(1);
    expect(ask.stderr).toMatch(/MODEL_KIND_MISMATCH/);
  });
});
