/**
 * `--demo` on glance caption, ask, match and embed: the tiny demo models glance makes itself, with no file under
 * ../shared touched (the glance process's file-system calls — open, read, stat, readdir, … — are watched, see
 * report-reads-under.mjs; the images are copies in a temporary folder). --demo wins over GLANCE_MODEL (said on stderr, stdout keeps the results) and is
 * refused together with --model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, IMAGES } from '../helpers/fixtures.ts';
import { cleanEnv, jsonLines, type GlanceRun } from '../helpers/run-glance.ts';

const BIN = fileURLToPath(new URL('../../bin/glance.js', import.meta.url));
const WATCH = fileURLToPath(new URL('../helpers/report-reads-under.mjs', import.meta.url));
const SHARED = resolve(FIXTURES, '..');
const READ_REPORT = /read under watched dir: (.*)/;

let work: string;
let image: string;
let dataDir: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-demo-cli-'));
  image = join(work, 'photo.png');
  copyFileSync(join(IMAGES, 'astronaut.png'), image);
  dataDir = join(work, 'data');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `glance …` with ../shared watched: a watched file-system call under it shows up in stderr. */
function watchedGlance(env: NodeJS.ProcessEnv, ...args: string[]): Promise<GlanceRun> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', WATCH, BIN, ...args], { cwd: work, env: { ...env, GLANCE_TEST_WATCHED_DIR: SHARED }, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('the watch on ../shared', () => {
  it('reports a read of a file under it made through node:fs/promises', async () => {
    const run = await new Promise<string>((done) => {
      const script = `import { readFile } from 'node:fs/promises'; await readFile(${JSON.stringify(join(FIXTURES, 'README.md'))});`;
      execFile(process.execPath, ['--import', WATCH, '--input-type=module', '-e', script], { env: { ...process.env, GLANCE_TEST_WATCHED_DIR: SHARED } }, (_error, _stdout, stderr) => done(stderr));
    });
    expect(run).toMatch(READ_REPORT);
  });
});

describe('--demo', () => {
  it('caption --demo captions with the caption demo, reading nothing under ../shared', async () => {
    const result = await watchedGlance(cleanEnv({ GLANCE_DATA_DIR: dataDir }), 'caption', image, '--demo', '--max-new-tokens', '8', '--json');
    expect(result.stderr).not.toMatch(READ_REPORT);
    expect(result.code).toBe(0);
    const [line] = jsonLines(result.stdout);
    expect(line.text.trim().length).toBeGreaterThan(0);
    expect(line.sequence.length).toBeGreaterThan(0);
  });

  it('ask --demo wins over GLANCE_MODEL, saying so on stderr', async () => {
    const result = await watchedGlance(cleanEnv({ GLANCE_DATA_DIR: dataDir, GLANCE_MODEL: join(work, 'no-such-model') }), 'ask', image, 'what is this?', '--demo', '--max-new-tokens', '8');
    expect(result.stderr).not.toMatch(READ_REPORT);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`GLANCE_MODEL (${join(work, 'no-such-model')}) is not used this time`);
    expect(result.stdout).not.toContain('GLANCE_MODEL');
  });

  it('match --demo and embed --demo run the retrieval demo', async () => {
    const match = await watchedGlance(cleanEnv({ GLANCE_DATA_DIR: dataDir }), 'match', image, 'an astronaut', 'a dog', '--demo', '--json');
    expect(match.stderr).not.toMatch(READ_REPORT);
    expect(match.code).toBe(0);
    const lines = jsonLines(match.stdout);
    expect(lines.map((line) => line.text)).toEqual(['an astronaut', 'a dog']);
    for (const line of lines) expect(line.matchProbability > 0 && line.matchProbability < 1).toBe(true);

    const embed = await watchedGlance(cleanEnv({ GLANCE_DATA_DIR: dataDir }), 'embed', image, '--text', 'a rocket', '--demo');
    expect(embed.stderr).not.toMatch(READ_REPORT);
    expect(embed.code).toBe(0);
    const [imageLine, textLine] = jsonLines(embed.stdout);
    const config = JSON.parse(readFileSync(new URL('../../src/models/demo/tiny-blip2-itm.config.json', import.meta.url), 'utf8'));
    expect(imageLine).toMatchObject({ kind: 'image', queries: config.num_query_tokens, dim: config.image_text_hidden_size });
    expect(textLine).toMatchObject({ kind: 'text', source: 'a rocket', dim: config.image_text_hidden_size });
  });

  it('with --model is refused (CONFIG_INVALID) before anything is made', async () => {
    const result = await watchedGlance(cleanEnv({ GLANCE_DATA_DIR: join(work, 'both') }), 'caption', image, '--demo', '--model', 'Salesforce/blip2-opt-2.7b');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[CONFIG_INVALID\].*--demo.*--model Salesforce\/blip2-opt-2\.7b/);
    expect(existsSync(join(work, 'both'))).toBe(false);
  });
});
