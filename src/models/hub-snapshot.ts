/**
 * A Hub model repository's checkpoint files, downloaded with @huggingface/hub into
 * `<dataDir>/hub/<owner>--<name>/<commit>/` (the revision is resolved to its commit first, and
 * `<dataDir>/hub/<owner>--<name>/refs/<revision, URI-encoded>` remembers which commit it was).
 *
 * Only what the converter reads is fetched: the JSON configs and the tokenizer first, then the weights it opens
 * (weight-files.ts), after checking the disk has room for them. A snapshot is complete when its marker file (written last) is there; then a later start uses it without any network
 * request. Files are verified one by one (hub-file-download.ts), so an interrupted run continues where it stopped.
 */
import { downloadFile, listFiles, modelInfo } from '@huggingface/hub';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { INDEX_FILE } from '../../engine/convert/checkpoint-files.ts';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import type { Logger } from '../log/logger.ts';
import { ensureFreeSpace } from './disk-space.ts';
import { withFolderLock } from './folder-lock.ts';
import { hubError } from './hub-errors.ts';
import { downloadVerifiedFile, type HubFileEntry } from './hub-file-download.ts';
import type { ModelProgressReport } from './model-progress.ts';
import { stallTimeoutFetch } from './stall-timeout-fetch.ts';
import { chooseWeightFiles } from './weight-files.ts';

export const SNAPSHOT_MARKER = '.glance-snapshot.json';

/** Top-level files the converter reads (besides *.safetensors). */
const WANTED_FILES = new Set([
  'config.json',
  'preprocessor_config.json',
  'processor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  INDEX_FILE,
]);

export function isWantedFile(path: string): boolean {
  return !path.includes('/') && (WANTED_FILES.has(path) || path.endsWith('.safetensors'));
}

export interface HubSnapshot {
  dir: string;
  commit: string;
  /** False when a complete earlier snapshot was reused without asking the Hub. */
  downloaded: boolean;
}

export interface HubSnapshotOptions {
  repo: string;
  revision: string;
  dataDir: string;
  hubUrl: string;
  accessToken?: string;
  /** Abort a request when no data arrives for this long (default DEFAULT_STALL_MS). */
  stallTimeoutMs?: number;
  onProgress?: ModelProgressReport;
  log?: Logger;
  /** Stops the download (partial files are kept for the next run to resume) or the wait for another process's. */
  signal?: AbortSignal;
}

export const DEFAULT_STALL_MS = 60_000;

const COMMIT = /^[0-9a-f]{40}$/;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function repoFolder(dataDir: string, repo: string): string {
  return join(resolve(dataDir), 'hub', repo.replace('/', '--'));
}

/** The commit of a complete local snapshot for `revision`, if there is one. */
async function localCommit(folder: string, revision: string): Promise<string | undefined> {
  const commit = COMMIT.test(revision) ? revision : await readFile(join(folder, 'refs', encodeURIComponent(revision)), 'utf8').then((text) => text.trim(), () => undefined);
  if (commit && COMMIT.test(commit) && (await exists(join(folder, commit, SNAPSHOT_MARKER)))) return commit;
  return undefined;
}

function checkToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  if (!token.startsWith('hf_')) throw new GlanceError(ErrorCode.ModelUnavailable, 'HF_TOKEN does not look like a Hugging Face access token (they start with "hf_"). Create one at https://huggingface.co/settings/tokens or unset HF_TOKEN.');
  return token;
}

export async function downloadHubSnapshot(options: HubSnapshotOptions): Promise<HubSnapshot> {
  const { repo, revision } = options;
  const folder = repoFolder(options.dataDir, repo);
  const cached = await localCommit(folder, revision);
  if (cached) return { dir: join(folder, cached), commit: cached, downloaded: false };
  return withFolderLock(join(folder, '.lock'), `${repo}@${revision}`, async () => {
    // Another process may have finished the download while this one waited for the lock.
    const finished = await localCommit(folder, revision);
    if (finished) return { dir: join(folder, finished), commit: finished, downloaded: false };
    return download(options, folder);
  }, options.log, options.signal);
}

async function download(options: HubSnapshotOptions, folder: string): Promise<HubSnapshot> {
  const { repo, revision, hubUrl } = options;
  const accessToken = checkToken(options.accessToken);
  options = { ...options, accessToken };
  const context = { repo, revision, hubUrl };
  const fetch = stallTimeoutFetch(options.stallTimeoutMs ?? DEFAULT_STALL_MS, withSignal(options.signal));
  let commit: string;
  let entries: HubFileEntry[];
  try {
    const info = await modelInfo({ name: repo, revision, hubUrl, accessToken, fetch, additionalFields: ['sha'] });
    commit = String((info as { sha?: unknown }).sha ?? '');
    if (!COMMIT.test(commit)) throw new GlanceError(ErrorCode.ModelUnavailable, `The Hub at ${hubUrl} gave no commit for ${repo}@${revision}.`, context);
    entries = [];
    for await (const entry of listFiles({ repo, revision: commit, recursive: true, hubUrl, accessToken, fetch })) {
      if (entry.type === 'file' && isWantedFile(entry.path)) entries.push({ path: entry.path, size: entry.size, oid: entry.oid, lfs: entry.lfs });
    }
  } catch (error) {
    throw hubError(error, context);
  }
  if (!entries.some((e) => e.path === 'config.json') || !entries.some((e) => e.path.endsWith('.safetensors'))) {
    throw new GlanceError(ErrorCode.ModelUnavailable, `${repo}@${revision} on ${hubUrl} is not a BLIP-2 checkpoint glance can convert: it needs config.json and safetensors weights (found ${entries.map((e) => e.path).join(', ') || 'none of the files'}). Pick a BLIP-2 repository with safetensors, e.g. Salesforce/blip2-opt-2.7b.`, { repo, revision });
  }

  const dir = join(folder, commit);
  await mkdir(dir, { recursive: true });
  // The small files first: the shard index among them says which safetensors files are the weights.
  const small = entries.filter((e) => !e.path.endsWith('.safetensors'));
  const fetchOne = (entry: HubFileEntry) => (options.signal?.throwIfAborted(), downloadEntry(entry, dir, commit, fetch, options));
  for (const entry of small) await fetchOne(entry);
  const weightNames = await chooseWeightFiles(entries.map((e) => e.path), () => readFile(join(dir, INDEX_FILE), 'utf8'), repo);
  const weights = weightNames.map((name) => entries.find((e) => e.path === name)!);
  let missingBytes = 0;
  for (const entry of weights) missingBytes += entry.size - (await presentBytes(join(dir, entry.path), entry.size));
  await ensureFreeSpace(dir, missingBytes, `Downloading ${repo}@${revision}`);
  options.log?.info({ repo, revision, commit, files: weights.map((e) => e.path), bytes: weights.reduce((sum, e) => sum + e.size, 0), dir }, 'downloading the model weights from the Hub');
  for (const entry of weights) await fetchOne(entry);
  const files = [...small, ...weights];
  await writeFile(join(dir, SNAPSHOT_MARKER), `${JSON.stringify({ repo, revision, commit, hubUrl, files, completedAt: new Date().toISOString() }, null, 2)}\n`);
  await mkdir(join(folder, 'refs'), { recursive: true });
  if (!COMMIT.test(revision)) await writeFile(join(folder, 'refs', encodeURIComponent(revision)), `${commit}\n`);
  return { dir, commit, downloaded: true };
}

/** The global fetch, its requests also ended by `signal`. */
function withSignal(signal: AbortSignal | undefined): typeof globalThis.fetch {
  if (!signal) return globalThis.fetch;
  return (input, init) => globalThis.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}

/** Bytes of a file already on disk: all of it when finished, else what its partial download holds. */
async function presentBytes(finalPath: string, size: number): Promise<number> {
  const finished = await stat(finalPath).then((info) => info.size, () => undefined);
  if (finished === size) return size;
  const partial = await stat(`${finalPath}.incomplete`).then((info) => info.size, () => 0);
  return partial <= size ? partial : 0;
}

async function downloadEntry(entry: HubFileEntry, dir: string, commit: string, fetch: typeof globalThis.fetch, options: HubSnapshotOptions): Promise<void> {
  const { repo, revision, hubUrl, accessToken } = options;
  const context = { repo, revision, hubUrl };
  const result = await downloadVerifiedFile({
    entry,
    finalPath: join(dir, entry.path),
    describe: `${entry.path} of ${repo}@${commit.slice(0, 12)}`,
    onBytes: (inFile) => options.onProgress?.({ phase: 'download', file: entry.path, done: inFile, total: entry.size }),
    openBlob: async () => {
      let blob: Blob | null;
      try {
        // xet: false keeps every file on the plain resolve URL (the Hub bridges Xet-stored files there), whose Range
        // requests are what resuming relies on and what the tests exercise.
        blob = await downloadFile({ repo, path: entry.path, revision: commit, hubUrl, accessToken, fetch, xet: false });
      } catch (error) {
        throw hubError(error, { ...context, file: entry.path });
      }
      if (!blob) throw new GlanceError(ErrorCode.ModelUnavailable, `The Hub listed ${entry.path} in ${repo}@${commit} but does not serve it. Run again later.`, { repo, file: entry.path });
      return blob;
    },
  });
  if (result.resumedFrom > 0 && result.fetchedBytes > 0) options.log?.info({ file: entry.path, resumedFrom: result.resumedFrom }, 'resumed a partial download');
}
