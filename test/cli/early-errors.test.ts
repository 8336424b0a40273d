/**
 * Mistakes on the command line fail at once, before a model is made ready (which can be a 15 GB download and a
 * conversion): commander's usage errors exit 2 like glance's own, a wrong image path or a refused flag combination
 * is reported without touching the Hub, and a bad flag value is named by the flag the user typed.
 * The Hub endpoint here is a closed port: reaching it would give MODEL_UNAVAILABLE instead of the expected error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES } from '../helpers/fixtures.ts';
import { cleanEnv, glanceWithEnv } from '../helpers/run-glance.ts';

let work: string;
let env: NodeJS.ProcessEnv;
const HUB_MODEL = 'Salesforce/blip2-opt-2.7b';
const IMAGE = join(IMAGES, 'astronaut.png');

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-early-'));
  mkdirSync(join(work, 'a-folder'));
  env = cleanEnv({ HF_ENDPOINT: 'http://127.0.0.1:9', GLANCE_DATA_DIR: join(work, 'data') });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (...args: string[]) => glanceWithEnv(env, ...args);

function expectNoDownload(stderr: string): void {
  expect(stderr).not.toMatch(/MODEL_UNAVAILABLE|download/i);
  expect(existsSync(join(work, 'data')) ? readdirSync(join(work, 'data')) : []).toEqual([]);
}

describe('glance usage errors', () => {
  it.each([
    [['caption']], // missing argument
    [['caption', IMAGE, '--bogus']], // unknown option
    [['frobnicate']], // unknown command
    [['caption', IMAGE, '--provider', 'gpu']], // not one of the choices
  ])('%j is a usage error: exit 2 with the usage', async (args) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toContain('Usage: glance');
  });

  it.each([[['--help']], [['caption', '--help']], [['help', 'ask']]])('%j prints help and exits 0', async (args) => {
    const result = await run(...args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: glance');
  });
});

describe('glance checks its inputs before making the model ready', () => {
  it.each([
    [['caption', IMAGE, 'missing.jpg']],
    [['ask', IMAGE, 'what?', 'missing.jpg', 'and this?']],
    [['match', 'missing.jpg', 'a cat']],
    [['embed', IMAGE, 'missing.jpg', '--text', 'a cat']],
  ])('%j: a missing image file is INVALID_INPUT naming it, with no download', async (args) => {
    const result = await run(...args, '--model', HUB_MODEL);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^glance: error \[INVALID_INPUT\]: cannot read image missing\.jpg: there is no such file\. Check the path\.\n$/);
    expectNoDownload(result.stderr);
  });

  it('a folder given as an image says so', async () => {
    const result = await run('caption', join(work, 'a-folder'), '--model', HUB_MODEL);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[INVALID_INPUT\]: cannot read image .*a-folder: it is not a file/);
    expectNoDownload(result.stderr);
  });

  it.each([
    [['--temperature', '0.5'], /\[GENERATION_INVALID_OPTION\]: Generation option --temperature only applies when sampling; set --do-sample or/],
    [['--num-beams', '2', '--do-sample'], /\[GENERATION_UNSUPPORTED_OPTION\]: Beam sampling \(--num-beams > 1 with --do-sample\)/],
    [['--length-penalty', '2'], /\[GENERATION_INVALID_OPTION\]: .*--length-penalty only applies to beam search; set --num-beams above 1/],
    [['--max-new-tokens', '0'], /\[GENERATION_INVALID_OPTION\]: Invalid generation option "--max-new-tokens": must be at least 1/],
  ])('generation flags %j are refused, named as flags, before the model is made ready', async (flags, expected) => {
    const result = await run('caption', IMAGE, '--model', HUB_MODEL, ...flags);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(expected);
    expectNoDownload(result.stderr);
  });

  it('embed with nothing to embed is refused before the model is made ready', async () => {
    const result = await run('embed', '--model', HUB_MODEL);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[INVALID_INPUT]: nothing to embed');
    expectNoDownload(result.stderr);
  });
});

describe('a bad flag value names the flag', () => {
  it('start --port 99999 names --port (and its variable)', async () => {
    const result = await run('start', '--demo', '--port', '99999');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[CONFIG_INVALID]: Invalid configuration: --port (GLANCE_HTTP_PORT) must be at most 65535 (got "99999")');
  });

  it('the same value from the environment names only the variable', async () => {
    const result = await glanceWithEnv({ ...env, GLANCE_HTTP_PORT: '99999' }, 'start', '--demo');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid configuration: GLANCE_HTTP_PORT must be at most 65535');
    expect(result.stderr).not.toContain('--port (');
  });
});
