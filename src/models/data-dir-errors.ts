/** The data directory's file-system failures, said as MODEL_UNAVAILABLE errors that say what to do. */
import { resolve } from 'node:path';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

/** File-system errors that mean the data directory cannot hold the model. */
const DATA_DIR_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'is not writable',
  EPERM: 'is not writable',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'is out of disk space',
  ENOTDIR: 'is not a folder (a file is in the way)',
};

/** Runs `work`, turning the data directory's file-system failures into MODEL_UNAVAILABLE errors that say what to do. */
export async function inDataDir<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    const problem = code ? DATA_DIR_ERRORS[code] : undefined;
    // Only failures inside the data directory are its problem (an unreadable checkpoint folder is not).
    const inside = path === undefined || resolve(path).startsWith(resolve(dataDir));
    if (!problem || !inside || error instanceof GlanceError) throw error;
    throw new GlanceError(ErrorCode.ModelUnavailable, `The data directory ${resolve(dataDir)} ${problem} (${(error as Error).message}). Point GLANCE_DATA_DIR or --data-dir at a writable folder with room for the model; finished downloads are kept.`, { dataDir, errno: code }, { cause: error });
  }
}
