/**
 * `glance bench --startup` (`npm run bench -- --startup`): how long the `glance` command takes as a whole process,
 * from spawn to exit — `glance --version`, `glance caption --help`, `npx glance --version` and a one-image caption on
 * the tiny fixture model — each run from the tree bin/glance.js picks (the compiled one after `npm run prepare`) and,
 * in the same run, from the TypeScript sources through tsx (GLANCE_TEST_FROM_SOURCES=1), beside `node -e 0` and
 * `npx --version` (what Node and npx cost on their own). The cases take turns run after run, so a host that slows
 * down slows every case alike; one warm-up round first (the caption's converts the tiny model into --work once).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledTreeIsFresh, FROM_SOURCES_VARIABLE, REPOSITORY_ROOT } from '../bin/compiled-tree.js';
import { median } from './statistics.ts';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const BIN = join(REPOSITORY_ROOT, 'bin/glance.js');

export interface StartupBenchOptions {
  /** Counted runs of each case (after one warm-up round). */
  runs: number;
  /** Where the tiny model is converted once (`<work>/startup-data`). */
  work: string;
}

interface StartupCase {
  name: string;
  command: string;
  args: string[];
  /** Run from the sources through tsx instead of the tree bin/glance.js picks. */
  fromSources?: boolean;
}

export interface StartupRow {
  name: string;
  /** Wall milliseconds of each counted run, in order. */
  runsMs: number[];
}

export interface StartupBenchResult {
  date: string;
  machine: { cpus: number; memoryBytes: number };
  /** Whether bin/glance.js ran the compiled tree (else every "glance" row ran the sources too). */
  compiledTreeFresh: boolean;
  /** One-minute load average before and after (the host is shared: a high one means noisy figures). */
  load: { before: number; after: number };
  rows: StartupRow[];
  /** Why the caption case did not run, when it did not. */
  captionSkipped?: string;
}

function cases(work: string): { list: StartupCase[]; captionSkipped?: string } {
  const node = process.execPath;
  const glance = (name: string, args: string[]): StartupCase[] => [
    { name, command: node, args: [BIN, ...args] },
    { name: `${name}, sources through tsx`, command: node, args: [BIN, ...args], fromSources: true },
  ];
  const list: StartupCase[] = [
    { name: 'node -e 0 (Node alone)', command: node, args: ['-e', '0'] },
    ...glance('glance --version', ['--version']),
    ...glance('glance caption --help', ['caption', '--help']),
    { name: 'npx --version (npx alone)', command: 'npx', args: ['--version'] },
    { name: 'npx glance --version', command: 'npx', args: ['glance', '--version'] },
  ];
  const model = join(FIXTURES, 'tiny-blip2-opt');
  const image = join(FIXTURES, 'images/astronaut.png');
  if (!existsSync(model) || !existsSync(image)) return { list, captionSkipped: `the tiny fixture model or its image is not in ${FIXTURES}` };
  list.push(...glance('glance caption (one image, tiny model)', ['caption', image, '--model', model, '--data-dir', resolve(work, 'startup-data')]));
  return { list };
}

/** Runs the case once; resolves with its wall time in ms, rejects with its stderr if it fails. */
function timeOnce(c: StartupCase): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const env = { ...process.env };
    if (c.fromSources) env[FROM_SOURCES_VARIABLE] = '1';
    else delete env[FROM_SOURCES_VARIABLE];
    const started = performance.now();
    const child = spawn(c.command, c.args, { cwd: REPOSITORY_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${c.name} failed (exit ${code}): ${stderr.trim()}`));
      else resolvePromise(ms);
    });
  });
}

export async function runStartupBench(options: StartupBenchOptions): Promise<StartupBenchResult> {
  const { list, captionSkipped } = cases(options.work);
  const compiledTreeFresh = compiledTreeIsFresh(REPOSITORY_ROOT);
  const before = loadavg()[0];
  process.stderr.write(`warm-up round (${list.length} cases)…\n`);
  for (const c of list) await timeOnce(c);
  const rows: StartupRow[] = list.map((c) => ({ name: c.name, runsMs: [] }));
  for (let run = 0; run < options.runs; run++) {
    process.stderr.write(`round ${run + 1} of ${options.runs}…\n`);
    for (const [i, c] of list.entries()) rows[i].runsMs.push(await timeOnce(c));
  }
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: { cpus: availableParallelism(), memoryBytes: totalmem() },
    compiledTreeFresh,
    load: { before, after: loadavg()[0] },
    rows,
    ...(captionSkipped ? { captionSkipped } : {}),
  };
}

const ms = (value: number) => `${Math.round(value)}`;

export function renderStartupReport(result: StartupBenchResult): string {
  const lines = [
    `## CLI start-up (${result.date})`,
    '',
    `Machine: ${result.machine.cpus} cores, ${(result.machine.memoryBytes / 1e9).toFixed(2)} GB memory; load average ${result.load.before.toFixed(1)} before, ${result.load.after.toFixed(1)} after.`,
    result.compiledTreeFresh
      ? 'bin/glance.js ran the compiled tree (.build/, fresh).'
      : '**The compiled tree was missing or stale** (run `npm run prepare`): every glance row ran the sources through tsx.',
    ...(result.captionSkipped ? [`Caption not measured: ${result.captionSkipped}.`] : []),
    '',
    `| command (wall time, spawn to exit; ${result.rows[0]?.runsMs.length ?? 0} runs each) | min ms | median ms | max ms |`,
    '| --- | --- | --- | --- |',
    ...result.rows.map((row) => `| ${row.name} | ${ms(Math.min(...row.runsMs))} | ${ms(median(row.runsMs))} | ${ms(Math.max(...row.runsMs))} |`),
  ];
  const byName = new Map(result.rows.map((row) => [row.name, median(row.runsMs)]));
  const ratios = result.rows
    .filter((row) => byName.has(`${row.name}, sources through tsx`))
    .map((row) => `${row.name.replace(/^glance /, '')} ${(byName.get(`${row.name}, sources through tsx`)! / median(row.runsMs)).toFixed(1)}×`);
  if (ratios.length > 0) lines.push('', `Sources through tsx ÷ this tree, medians: ${ratios.join(', ')}.`);
  const npxGlance = byName.get('npx glance --version');
  const glance = byName.get('glance --version');
  const npx = byName.get('npx --version (npx alone)');
  const node = byName.get('node -e 0 (Node alone)');
  if (npxGlance !== undefined && glance !== undefined && npx !== undefined && node !== undefined) {
    lines.push(`npx adds ${ms(npxGlance - glance)} ms to glance --version (finding the bin in the package tree: npx glance --version − glance --version); npx --version alone costs ${ms(npx - node)} ms over node -e 0.`);
  }
  return `${lines.join('\n')}\n`;
}
