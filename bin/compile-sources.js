#!/usr/bin/env node
// `npm run prepare` (npm ci and npm install run it): compiles the TypeScript sources one file per file into .build/
// with esbuild, so `glance` starts without tsx (bin/compiled-tree.js decides at each start which tree runs).
// - The tree mirrors the sources (cli/main.ts → .build/cli/main.js), relative `.ts` imports become `.js`,
//   relative `.js` imports (plain JavaScript, not compiled) point at the file where it is, and packages stay
//   imports of node_modules.
// - `import.meta.url` keeps naming the source file, so paths built from it (the playground's public/ files,
//   ../shared/fixtures, package.json, the engine worker's entry) are the same in both trees.
// - Source maps are written beside each file (`node --enable-source-maps bin/glance.js …` for .ts positions).
// - The tree is built in a staging folder and renamed into place with its manifest (the stamps of the sources it was
//   compiled from, taken before compiling): a start never sees half a tree, and an edit made meanwhile makes it stale.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { BUILD_DIR, BUILD_MANIFEST, REPOSITORY_ROOT, sourceStamps } from './compiled-tree.js';

const SOURCE_URL = '__glanceSourceUrl';

/** esbuild plugin: one output per source, its relative imports left as imports of the compiled siblings. */
function perFileOutput(root, outDir) {
  return {
    name: 'glance-per-file-output',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (args.path.endsWith('.ts')) return { path: args.path.replace(/\.ts$/, '.js'), external: true };
        if (!args.path.endsWith('.js')) return { errors: [{ text: `relative import ${args.path} in ${relative(root, args.importer)}: name the .ts or .js file` }] };
        // A JavaScript file (e.g. bin/compiled-tree.js) is not compiled: import it where it is.
        const compiledImporter = join(outDir, relative(root, args.importer));
        const target = relative(dirname(compiledImporter), resolve(dirname(args.importer), args.path)).split('\\').join('/');
        return { path: target.startsWith('.') ? target : `./${target}`, external: true };
      });
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta')) return { contents: source, loader: 'ts' };
        // Prepended on the first line (line numbers unchanged); `define` turns every import.meta.url into it.
        const compiledFile = join(outDir, relative(root, args.path));
        const back = relative(dirname(compiledFile), args.path).split('\\').join('/');
        const head = `const __glanceMeta = import.meta, ${SOURCE_URL} = new URL(${JSON.stringify(back)}, __glanceMeta.url).href; `;
        return { contents: head + source, loader: 'ts' };
      });
    },
  };
}

/** Compiles `root`'s sources into `root`/.build; returns how many files were compiled. */
export async function compileSources(root = REPOSITORY_ROOT) {
  const stamps = sourceStamps(root);
  const sources = Object.keys(stamps).filter((path) => path.endsWith('.ts'));
  const buildDir = join(root, BUILD_DIR);
  const staging = `${buildDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: sources.map((path) => join(root, path)),
      outdir: staging,
      outbase: root,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'warning',
      define: { 'import.meta.url': SOURCE_URL },
      plugins: [perFileOutput(root, buildDir)],
    });
    writeFileSync(join(staging, BUILD_MANIFEST), `${JSON.stringify({ stamps }, null, 1)}\n`);
    const previous = `${buildDir}.previous-${process.pid}`;
    if (existsSync(buildDir)) renameSync(buildDir, previous);
    renameSync(staging, buildDir);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return sources.length;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const started = performance.now();
  const count = await compileSources();
  process.stdout.write(`compiled ${count} TypeScript files into ${BUILD_DIR}/ in ${Math.round(performance.now() - started)} ms\n`);
}
