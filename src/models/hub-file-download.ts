/**
 * One Hub file downloaded into its final path, resumably and verified.
 *
 * Bytes go to `<path>.incomplete`; a leftover from an interrupted run is continued from its length (the Blob that
 * @huggingface/hub returns fetches a slice with an HTTP Range request), after its bytes are hashed again. The
 * finished file is checked against the Hub's listing — LFS files by their sha256 (the LFS oid), small git files by
 * their git blob sha1 — and only then renamed into place, so a file under its final name is always a verified one.
 * A mismatch deletes the bytes and fails with MODEL_UNAVAILABLE.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

/** What the Hub's tree listing says about a file. */
export interface HubFileEntry {
  path: string;
  size: number;
  /** git blob sha1 of the file (for LFS files: of the pointer). */
  oid?: string;
  lfs?: { oid: string; size: number };
}

/** The expected digest of a file: sha256 for LFS files, the git blob sha1 (`blob <size>\0` + bytes) for the others. */
export function expectedDigest(entry: HubFileEntry): { algorithm: 'sha256' | 'sha1'; hex: string; hash: () => Hash } | undefined {
  if (entry.lfs) return { algorithm: 'sha256', hex: entry.lfs.oid.toLowerCase(), hash: () => createHash('sha256') };
  if (entry.oid) {
    return {
      algorithm: 'sha1',
      hex: entry.oid.toLowerCase(),
      hash: () => createHash('sha1').update(`blob ${entry.size}\0`),
    };
  }
  return undefined;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function hashExisting(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

export interface FileDownloadResult {
  /** Bytes fetched by this call (0 when the file was already complete). */
  fetchedBytes: number;
  /** Bytes of an earlier partial download that were kept. */
  resumedFrom: number;
}

/**
 * Downloads `entry` to `finalPath` through `openBlob` (which returns the file as a Blob whose slices are fetched
 * lazily). `onBytes` gets the file's bytes present so far after each chunk (the resumed part included).
 */
export async function downloadVerifiedFile(options: {
  entry: HubFileEntry;
  finalPath: string;
  openBlob: () => Promise<Blob>;
  onBytes?: (doneInFile: number) => void;
  describe: string;
}): Promise<FileDownloadResult> {
  const { entry, finalPath, describe } = options;
  if ((await sizeOf(finalPath)) === entry.size) return { fetchedBytes: 0, resumedFrom: entry.size };
  const partial = `${finalPath}.incomplete`;
  let resumedFrom = (await sizeOf(partial)) ?? 0;
  if (resumedFrom > entry.size) {
    await rm(partial, { force: true });
    resumedFrom = 0;
  }
  const digest = expectedDigest(entry);
  const hash = digest?.hash();
  if (hash && resumedFrom > 0) await hashExisting(partial, hash);
  options.onBytes?.(resumedFrom);

  let written = resumedFrom;
  if (written < entry.size) {
    const blob = await options.openBlob();
    if (blob.size !== entry.size) {
      throw new GlanceError(ErrorCode.ModelUnavailable, `${describe}: the Hub lists ${entry.size} bytes but serves ${blob.size}. Run again later (the repository may be changing).`, { file: entry.path });
    }
    const file = await open(partial, resumedFrom > 0 ? 'a' : 'w');
    try {
      for await (const chunk of blob.slice(resumedFrom).stream() as unknown as AsyncIterable<Uint8Array>) {
        if (written + chunk.byteLength > entry.size) {
          // The server ignored the Range request or sent too much: these bytes cannot be trusted to continue the file.
          await file.close().catch(() => undefined);
          await rm(partial, { force: true });
          throw new GlanceError(ErrorCode.ModelUnavailable, `${describe}: the server sent more bytes than the file has (a Range request answered with the whole file?). The partial file was deleted; run again to download it from the start.`, { file: entry.path });
        }
        await file.write(chunk);
        hash?.update(chunk);
        written += chunk.byteLength;
        options.onBytes?.(written);
      }
    } catch (error) {
      if (error instanceof GlanceError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new GlanceError(ErrorCode.ModelUnavailable, `${describe}: the download stopped after ${written} of ${entry.size} bytes (${reason}). Run again: it resumes from there.`, { file: entry.path, written, size: entry.size }, { cause: error });
    } finally {
      await file.close().catch(() => undefined);
    }
    if (written !== entry.size) {
      throw new GlanceError(ErrorCode.ModelUnavailable, `${describe}: the download ended after ${written} of ${entry.size} bytes. Run again: it resumes from there.`, { file: entry.path, written, size: entry.size });
    }
  }
  if (digest && hash) {
    const actual = hash.digest('hex');
    if (actual !== digest.hex) {
      await rm(partial, { force: true });
      throw new GlanceError(ErrorCode.ModelUnavailable, `${describe}: checksum mismatch (${digest.algorithm} ${actual}, the Hub lists ${digest.hex}). The corrupt file was deleted; run again to download it anew.`, { file: entry.path, expected: digest.hex, actual });
    }
  }
  await rename(partial, finalPath);
  return { fetchedBytes: written - resumedFrom, resumedFrom };
}
