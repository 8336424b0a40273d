/**
 * bin/compiled-tree.js: an entry point runs the compiled tree only while it matches the sources on disk. A temporary
 * repository of two sources is compiled by bin/compile-sources.js; the compiled file is then marked (it answers 2, the
 * source 1), so which one a fresh process imports is visible.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileSources } from '../../bin/compile-sources.js';
import { compiledTreeIsFresh } from '../../bin/compiled-tree.js';

const TREE = new URL('../../bin/compiled-tree.js', import.meta.url).href;
let root: string;

/** What `importSource` gives a new process for src/answer.ts: 2 from the compiled tree, 1 from the source. */
function answerInNewProcess(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const script = `const { importSource } = await import(${JSON.stringify(TREE)});
const { answer } = await importSource(new URL('src/answer.ts', ${JSON.stringify(pathToFileURL(`${root}/`).href)}), ${JSON.stringify(root)});
console.log(answer());`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env }, (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(Number(stdout.trim()))));
  });
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'glance-compiled-tree-'));
  await mkdir(join(root, 'src'));
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(root, 'src/answer.ts'), "import { ONE } from './one.ts';\nexport function answer(): number {\n  return ONE;\n}\n");
  await writeFile(join(root, 'src/one.ts'), 'export const ONE: number = 1;\n');
  await compileSources(root);
  const compiled = join(root, '.build/src/answer.js');
  await writeFile(compiled, (await readFile(compiled, 'utf8')).replace('return ONE;', 'return ONE + 1;'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the compiled tree', () => {
  it('is used when it matches the sources, with its relative imports rewritten to the compiled files', async () => {
    expect(compiledTreeIsFresh(root)).toBe(true);
    expect(await readFile(join(root, '.build/src/answer.js'), 'utf8')).toContain('"./one.js"');
    expect(await answerInNewProcess()).toBe(2);
  });

  it('is not used once a source file is newer', async () => {
    const later = new Date(Date.now() + 5000);
    await utimes(join(root, 'src/one.ts'), later, later);
    expect(compiledTreeIsFresh(root)).toBe(false);
    expect(await answerInNewProcess()).toBe(1);
  });

  it('is not used once a source file is added or deleted', async () => {
    await writeFile(join(root, 'src/two.ts'), 'export const TWO = 2;\n');
    expect(compiledTreeIsFresh(root)).toBe(false);
    await rm(join(root, 'src/two.ts'));
    expect(compiledTreeIsFresh(root)).toBe(true);
    await rm(join(root, 'src/one.ts'));
    expect(compiledTreeIsFresh(root)).toBe(false);
  });

  it('is not used without its manifest (an interrupted build) or when GLANCE_TEST_FROM_SOURCES=1', async () => {
    expect(await answerInNewProcess({ ...process.env, GLANCE_TEST_FROM_SOURCES: '1' })).toBe(1);
    await rm(join(root, '.build/sources.json'));
    expect(compiledTreeIsFresh(root)).toBe(false);
  });
});
