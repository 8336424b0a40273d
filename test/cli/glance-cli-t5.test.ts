/**
 * The `glance` command with a BLIP-2 + Flan-T5 bundle (engine in a worker thread): convert the tiny T5 fixture, then
 * caption and ask with --json and get the transformers goldens back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES, TINY_T5, readJson } from '../helpers/fixtures.ts';
import { glance, jsonLines } from '../helpers/run-glance.ts';

const goldens = readJson(join(TINY_T5, 'goldens.json'));
let work: string;
let bundle: string;


beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'glance-cli-t5-'));
  bundle = join(work, 'bundle');
  const converted = await glance('convert', TINY_T5, '--out', bundle, '--no-progress');
  expect(converted.code).toBe(0);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('glance CLI with a T5 bundle', () => {
  it('caption --json prints the golden greedy caption, starting with the decoder start token', async () => {
    const result = await glance('caption', join(IMAGES, 'astronaut.png'), '--model', bundle, '--max-new-tokens', '20', '--json');
    expect(result.code).toBe(0);
    const golden = goldens.images['astronaut.png'].generate.caption_greedy.outputs[0];
    const [line] = jsonLines(result.stdout);
    expect(line.sequence).toEqual(golden.sequence);
    expect(line.text).toBe(golden.text_stripped);
  });

  it('ask --raw-prompt runs the golden right-padded batch as one beam search', async () => {
    const batch = goldens.batch;
    const args = batch.images.flatMap((image: string, i: number) => [join(IMAGES, image), batch.prompts[i]]);
    const result = await glance('ask', ...args, '--raw-prompt', '--model', bundle, '--max-new-tokens', '20', '--num-beams', '3', '--json');
    expect(result.code).toBe(0);
    const unpadded = (sequence: number[]) => {
      const out = [...sequence];
      while (out.length > 1 && out[out.length - 1] === goldens.model.language_model.pad_token_id) out.pop();
      return out;
    };
    expect(jsonLines(result.stdout).map((l) => l.sequence)).toEqual(batch.beam3.outputs.map((o: { sequence: number[] }) => unpadded(o.sequence)));
  });

  it('ask wraps the question and prints the golden VQA answer (greedy)', async () => {
    const result = await glance('ask', join(IMAGES, 'coffee.png'), 'what color is the sky?', '--model', bundle, '--max-new-tokens', '20', '--json');
    expect(result.code).toBe(0);
    const [line] = jsonLines(result.stdout);
    expect(line.prompt).toBe(goldens.prompts.vqa_color.text);
    expect(line.sequence).toEqual(goldens.images['coffee.png'].generate.vqa_color_greedy.outputs[0].sequence);
  });
});
