/**
 * The `glance` command as users run it (node bin/glance.js, engine in a worker thread): convert the tiny fixture,
 * caption and ask with --json, and get the transformers goldens back; bad input gives a coded error and exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGES, TINY_OPT, readJson } from '../helpers/fixtures.ts';
import { cleanEnv, glance, glanceWithEnv, jsonLines } from '../helpers/run-glance.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
/** Where onnxruntime-node keeps its native libraries (the CUDA provider's among them on a cuda12 install). */
const ORT_BINARIES = fileURLToPath(new URL('../../node_modules/onnxruntime-node/bin/napi-v6/linux/x64/', import.meta.url));
let work: string;
let bundle: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'glance-cli-'));
  bundle = join(work, 'bundle');
  const converted = await glance('convert', TINY_OPT, '--out', bundle, '--no-progress');
  expect(converted.stderr).toContain('wrote');
  expect(converted.code).toBe(0);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('glance CLI', () => {
  it('caption --json prints the golden greedy caption with sequence and timings', async () => {
    const result = await glance('caption', join(IMAGES, 'astronaut.png'), '--model', bundle, '--max-new-tokens', '20', '--json');
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(1);
    const golden = goldens.images['astronaut.png'].generate.caption_greedy.outputs[0];
    expect(lines[0].sequence).toEqual(golden.sequence);
    expect(lines[0].text).toBe(golden.text_stripped);
    expect(Object.keys(lines[0].timings).sort()).toEqual(['decode', 'prefill', 'preprocess', 'tokensPerSecond', 'vision']);
  });

  it('--no-repeat-ngram-size reaches the engine (commander reads --no-* as a negation: it was dropped)', async () => {
    const generate = goldens.images['astronaut.png'].generate;
    const golden = generate.caption_no_repeat_ngram_2.outputs[0];
    expect(golden.sequence).not.toEqual(generate.caption_greedy.outputs[0].sequence); // the option changes this caption
    const result = await glance('caption', join(IMAGES, 'astronaut.png'), '--model', bundle, '--max-new-tokens', '20', '--no-repeat-ngram-size', '2', '--json');
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)[0].sequence).toEqual(golden.sequence);
  });

  it('ask --raw-prompt runs several inputs as one padded batch (beam search)', async () => {
    const args = goldens.batch.images.flatMap((image: string, i: number) => [join(IMAGES, image), goldens.batch.prompts[i]]);
    const result = await glance('ask', ...args, '--raw-prompt', '--model', bundle, '--max-new-tokens', '20', '--num-beams', '3', '--json');
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => l.sequence)).toEqual(goldens.batch.beam3.outputs.map((o: { sequence: number[] }) => o.sequence));
  });

  it('ask wraps a question as "Question: … Answer:"', async () => {
    const result = await glance('ask', join(IMAGES, 'chelsea.png'), 'what is in the picture?', '--model', bundle, '--max-new-tokens', '20', '--json');
    const [line] = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(line.prompt).toBe(goldens.prompts.vqa_what.text);
    expect(line.sequence).toEqual(goldens.images['chelsea.png'].generate.vqa_what_greedy.outputs[0].sequence);
  });

  it('ask refuses an empty question (a caption is glance caption) instead of sending "Question:  Answer:"', async () => {
    const result = await glance('ask', join(IMAGES, 'chelsea.png'), '  ', '--model', bundle);
    expect(result.code).toBe(2); // a usage error, like an odd number of arguments
    expect(result.stderr).toMatch(/question for .*chelsea\.png is empty: ask needs a question/);
  });

  it('refuses a file that is not an image with a coded error and exit 1', async () => {
    const path = join(work, 'notes.txt');
    writeFileSync(path, 'this is not an image');
    // a batch whose second image is the bad one: the error names that file
    const result = await glance('caption', join(IMAGES, 'astronaut.png'), path, '--model', bundle);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`[IMAGE_UNSUPPORTED]: ${path}: `);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an invalid generation option instead of ignoring it', async () => {
    const result = await glance('caption', join(IMAGES, 'astronaut.png'), '--model', bundle, '--num-beams', '0');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GENERATION_INVALID_OPTION/);
    // A limit only the model knows is named by the flag too.
    const tooLong = await glance('ask', join(IMAGES, 'astronaut.png'), 'what?', '--model', bundle, '--max-new-tokens', '5000');
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/\[GENERATION_INVALID_OPTION\]: --max-new-tokens 5000 does not fit: with this prompt the model has room for \d+ new tokens/);
  });

  it('refuses a folder that is neither a bundle nor a checkpoint', async () => {
    const result = await glance('caption', join(IMAGES, 'astronaut.png'), '--model', work);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[MODEL_UNAVAILABLE\]: .* is neither a glance bundle \(no manifest\.json\) nor a Hugging Face checkpoint/);
  });

  it('caption --model takes a checkpoint folder (converted once into --data-dir), with only the results on stdout', async () => {
    const dataDir = join(work, 'data');
    const result = await glance('caption', join(IMAGES, 'astronaut.png'), '--model', TINY_OPT, '--data-dir', dataDir, '--max-new-tokens', '20', '--json');
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(1);
    const golden = goldens.images['astronaut.png'].generate.caption_greedy.outputs[0];
    expect(lines[0].text).toBe(golden.text_stripped);
    expect(lines[0].sequence).toEqual(golden.sequence);
    expect(readdirSync(join(dataDir, 'models')).filter((name) => !name.startsWith('.'))).toHaveLength(1);
    // stderr is a pipe here, not a terminal: the conversion's progress is still written, as lines (logs under Docker)
    expect(result.stderr).toMatch(/^converting \|[^\n]*\| 100% \| ([\d.]+)\/\1 MB/m);
  });

  it('ask reads the model from GLANCE_MODEL and GLANCE_DATA_DIR, reusing the conversion', async () => {
    const dataDir = join(work, 'data');
    const result = await glanceWithEnv(cleanEnv({ GLANCE_MODEL: TINY_OPT, GLANCE_DATA_DIR: dataDir }), 'ask', join(IMAGES, 'chelsea.png'), 'what is in the picture?', '--max-new-tokens', '20');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${goldens.images['chelsea.png'].generate.vqa_what_greedy.outputs[0].text_stripped}\n`);
    expect(result.stderr).not.toMatch(/converting/); // reused: nothing to convert
    expect(readdirSync(join(dataDir, 'models')).filter((name) => !name.startsWith('.'))).toHaveLength(1);
  });

  it('takes --max-pixels and --provider from GLANCE_MAX_PIXELS and GLANCE_PROVIDER (environment or .env) when not given; flags win', async () => {
    const image = join(IMAGES, 'chelsea.png');
    const small = await glanceWithEnv(cleanEnv({ GLANCE_MAX_PIXELS: '1000' }), 'caption', image, '--model', bundle);
    expect(small.code).toBe(1);
    expect(small.stderr).toMatch(/\[IMAGE_TOO_LARGE\]/);
    const flagWins = await glanceWithEnv(cleanEnv({ GLANCE_MAX_PIXELS: '1000' }), 'caption', image, '--model', bundle, '--max-pixels', '40000000', '--max-new-tokens', '3');
    expect(flagWins.code).toBe(0);

    // GLANCE_PROVIDER=cuda is used: without onnxruntime's CUDA provider library it is PROVIDER_UNAVAILABLE, not a silent CPU run
    const cudaInstalled = existsSync(join(ORT_BINARIES, 'libonnxruntime_providers_cuda.so'));
    const cuda = await glanceWithEnv(cleanEnv({ GLANCE_PROVIDER: 'cuda' }), 'caption', image, '--model', bundle, '--max-new-tokens', '3');
    if (cudaInstalled) expect(cuda.code === 0 || /\[PROVIDER_UNAVAILABLE\]/.test(cuda.stderr)).toBe(true); // a GPU host, or its libraries without a GPU
    else {
      expect(cuda.stderr).toMatch(/\[PROVIDER_UNAVAILABLE\].*libonnxruntime_providers_cuda\.so missing/);
      // CUDA was not asked for, so onnxruntime printed no native "Failed to load library" line
      expect(cuda.stderr).not.toMatch(/providers_shared\.so with error|Failed to load library/);
      const auto = await glanceWithEnv(cleanEnv({ GLANCE_PROVIDER: 'auto' }), 'caption', image, '--model', bundle, '--max-new-tokens', '3');
      expect(auto.code).toBe(0);
      expect(auto.stderr.match(/falling back to CPU/g)).toHaveLength(1);
      expect(auto.stderr).not.toMatch(/Failed to load library/);
    }
    const cpuFlag = await glanceWithEnv(cleanEnv({ GLANCE_PROVIDER: 'cuda' }), 'caption', image, '--model', bundle, '--max-new-tokens', '3', '--provider', 'cpu');
    expect(cpuFlag.code).toBe(0);
  });

  it('says how to give a model when there is none', async () => {
    const result = await glanceWithEnv(cleanEnv(), 'caption', join(IMAGES, 'astronaut.png'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[MODEL_UNAVAILABLE\]: No model given: pass --model .*GLANCE_MODEL/);
  });

  it('convert leaves nothing behind when the checkpoint is missing', async () => {
    const out = join(work, 'never');
    const result = await glance('convert', join(work, 'missing-checkpoint'), '--out', out, '--no-progress');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/CHECKPOINT_MISSING_FILE/);
    expect(result.stderr).not.toContain('Hub id'); // a path, not a Hub id: no hint
    expect(existsSync(out)).toBe(false);
  });

  it('convert of a Hub id (it reads folders) says which command downloads and converts one', async () => {
    const result = await glanceWithEnv(cleanEnv({ HF_ENDPOINT: 'http://127.0.0.1:9' }), 'convert', 'Salesforce/blip2-opt-2.7b', '--out', join(work, 'hub'), '--no-progress');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[CHECKPOINT_MISSING_FILE\]: Checkpoint folder .* does not exist\. glance convert reads a local checkpoint folder, and "Salesforce\/blip2-opt-2\.7b" looks like a Hub id: `glance start --model Salesforce\/blip2-opt-2\.7b`/);
    expect(existsSync(join(work, 'hub'))).toBe(false);
  });
});
