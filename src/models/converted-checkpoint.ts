/**
 * A Hugging Face checkpoint folder converted once into `<dataDir>/models/<name>-<fingerprint>/` and reused after.
 *
 * The fingerprint hashes the bundle version, config.json's bytes and every file's name, size and mtime, so an edited or re-downloaded
 * checkpoint converts again into a new folder. The converter itself writes into a hidden sibling and renames at the
 * end; on top of that a marker file is written last, and a folder without it (a crash between the rename and the
 * marker, or a folder someone copied in by hand) is deleted and converted again — a partial conversion is never used.
 * A lock file (folder-lock.ts) lets only one process convert a given checkpoint; the others wait and reuse it.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { MANIFEST_VERSION } from '../../engine/bundle/manifest.ts';
import { withFolderLock } from './folder-lock.ts';
import type { Logger } from '../log/logger.ts';
import type { ModelProgressReport } from './model-progress.ts';

export const CONVERTED_MARKER = '.glance-converted.json';

export interface ConvertedCheckpoint {
  bundleDir: string;
  /** True when this call ran the converter; false when an earlier conversion was reused. */
  converted: boolean;
}

/** Short hash of the bundle version, config.json's bytes and each top-level file's name, size and mtime. */
export async function checkpointFingerprint(checkpointDir: string): Promise<string> {
  const hash = createHash('sha256');
  // A glance whose bundles differ in layout converts again into a folder of its own.
  hash.update(`bundle version ${MANIFEST_VERSION}\n`);
  hash.update(await readFile(join(checkpointDir, 'config.json')));
  const names = (await readdir(checkpointDir)).sort();
  for (const name of names) {
    const info = await stat(join(checkpointDir, name));
    if (info.isFile()) hash.update(`\n${name}\t${info.size}\t${Math.round(info.mtimeMs)}`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** A folder name made of the safe characters of `name`. */
export function safeFolderName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return cleaned.length > 0 ? cleaned : 'model';
}

async function hasMarker(bundleDir: string): Promise<boolean> {
  try {
    return (await stat(join(bundleDir, CONVERTED_MARKER))).isFile();
  } catch {
    return false;
  }
}

export async function convertCheckpointOnce(options: {
  checkpointDir: string;
  dataDir: string;
  /** Folder name prefix; defaults to the checkpoint folder's name. */
  name?: string;
  onProgress?: ModelProgressReport;
  log?: Logger;
  /** Stops waiting for another process's conversion, or this conversion (its temporary folder is removed). */
  signal?: AbortSignal;
}): Promise<ConvertedCheckpoint> {
  const checkpointDir = resolve(options.checkpointDir);
  const fingerprint = await checkpointFingerprint(checkpointDir);
  const bundleDir = join(resolve(options.dataDir), 'models', `${safeFolderName(options.name ?? basename(checkpointDir))}-${fingerprint}`);
  if (await hasMarker(bundleDir)) return { bundleDir, converted: false };
  return withFolderLock(`${bundleDir}.lock`, `the bundle ${bundleDir}`, async () => {
    // Another process may have finished it while this one waited for the lock.
    if (await hasMarker(bundleDir)) return { bundleDir, converted: false };
    await convertInto(checkpointDir, bundleDir, fingerprint, options);
    return { bundleDir, converted: true };
  }, options.log, options.signal);
}

async function convertInto(checkpointDir: string, bundleDir: string, fingerprint: string, options: { onProgress?: ModelProgressReport; log?: Logger; signal?: AbortSignal }): Promise<void> {
  const { signal, onProgress } = options;
  await rm(bundleDir, { recursive: true, force: true });
  options.log?.info({ checkpointDir, bundleDir }, 'converting the checkpoint into a bundle (once)');
  // Imported here: a start that reuses the bundle (every start but the first) does not load the converter.
  const { convertCheckpoint } = await import('../../engine/convert/convert-checkpoint.ts');
  const result = await convertCheckpoint({
    checkpointDir,
    outDir: bundleDir,
    // The converter reports after each tensor; throwing there stops it, and it removes its temporary folder.
    onProgress: onProgress || signal
      ? ({ doneBytes, totalBytes }) => {
          signal?.throwIfAborted();
          onProgress?.({ phase: 'convert', done: doneBytes, total: totalBytes });
        }
      : undefined,
  });
  await writeFile(join(bundleDir, CONVERTED_MARKER), `${JSON.stringify({ checkpointDir, fingerprint, weightBytes: result.weightBytes, convertedAt: new Date().toISOString() }, null, 2)}\n`);
  options.log?.info({ bundleDir, weightBytes: result.weightBytes }, 'checkpoint converted');
}
