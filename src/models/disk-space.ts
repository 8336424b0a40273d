/**
 * Refuses a download the data directory has no room for, before any byte is fetched (rather than failing with ENOSPC
 * part-way through a multi-gigabyte file).
 */
import { statfs } from 'node:fs/promises';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 2 : 1)} GB`;

export async function ensureFreeSpace(dir: string, neededBytes: number, what: string): Promise<void> {
  if (neededBytes <= 0) return;
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free < neededBytes) {
    throw new GlanceError(ErrorCode.ModelUnavailable, `${what} needs ${gb(neededBytes)} but ${dir} has ${gb(free)} free. Free some space or point GLANCE_DATA_DIR / --data-dir at a larger disk (and keep about as much again for the conversion).`, { dir, neededBytes, freeBytes: free });
  }
}
