// Which code an entry point runs: the TypeScript sources compiled to JavaScript in .build/ (`npm run prepare`, run
// by `npm ci`) when that tree is complete and was compiled from exactly the sources on disk now, else the sources
// themselves through tsx. Plain JavaScript, so deciding costs no TypeScript compiler: a few ms of stat calls.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The folders of TypeScript sources that are compiled (test/ is not: vitest runs its own transform). */
export const SOURCE_DIRS = ['engine', 'src', 'adapters', 'cli', 'bench'];
/** Files besides the sources that change what the compiled code is. */
export const COMPILE_INPUTS = ['tsconfig.json', 'bin/compile-sources.js'];
export const BUILD_DIR = '.build';
/** Written last, inside the tree: the stamp of every input the tree was compiled from. */
export const BUILD_MANIFEST = 'sources.json';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Set to 1: run the sources through tsx even when .build/ is fresh (the start-up benchmark compares the two). */
export const FROM_SOURCES_VARIABLE = 'GLANCE_TEST_FROM_SOURCES';

/** Every compiled input under `root` (forward-slash relative path) → its modification time and size. */
export function sourceStamps(root) {
  const stamps = {};
  const visit = (path, insideSources) => {
    let info;
    try {
      info = statSync(join(root, path));
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    // (readdirSync without withFileTypes, and one stat per entry: the cheapest walk measured on Node 20)
    if (info.isDirectory() && insideSources) for (const name of readdirSync(join(root, path))) visit(join(path, name), true);
    else if (info.isFile() && (!insideSources || (path.endsWith('.ts') && !path.endsWith('.d.ts')))) stamps[path.split(sep).join('/')] = `${info.mtimeMs}:${info.size}`;
  };
  for (const dir of SOURCE_DIRS) visit(dir, true);
  for (const path of COMPILE_INPUTS) visit(path, false);
  return stamps;
}

/**
 * Whether `root`'s .build/ holds exactly the current sources: its manifest lists the same files with the same
 * modification times and sizes. An edited, added or deleted source (or tsconfig.json) makes it stale.
 */
export function compiledTreeIsFresh(root) {
  let compiled;
  try {
    compiled = JSON.parse(readFileSync(join(root, BUILD_DIR, BUILD_MANIFEST), 'utf8')).stamps;
  } catch {
    return false;
  }
  const current = sourceStamps(root);
  const names = Object.keys(current);
  return names.length === Object.keys(compiled).length && names.every((name) => compiled[name] === current[name]);
}

/** The compiled file of the source file `sourceUrl` under `root` (cli/main.ts → .build/cli/main.js). */
export function compiledUrl(root, sourceUrl) {
  const path = relative(root, fileURLToPath(sourceUrl)).replace(/\.ts$/, '.js');
  return pathToFileURL(join(root, BUILD_DIR, path));
}

const freshByRoot = new Map();
let tsxRegistered = false;

/** Imports the TypeScript module at `sourceUrl` (in this repository): its compiled file when fresh, else via tsx. */
export async function importSource(sourceUrl, root = REPOSITORY_ROOT) {
  if (!freshByRoot.has(root)) freshByRoot.set(root, process.env[FROM_SOURCES_VARIABLE] !== '1' && compiledTreeIsFresh(root));
  if (freshByRoot.get(root)) return import(compiledUrl(root, sourceUrl).href);
  if (!tsxRegistered) {
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
  }
  return import(sourceUrl.href);
}
