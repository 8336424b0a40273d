/**
 * What `glance caption` / `ask` / `match` / `embed` check before the model is made ready: making it ready can mean a
 * 15 GB Hub download and a conversion, so a mistyped image path or a refused flag combination must fail at once,
 * not after it. The engine checks everything again when it runs.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { ErrorCode, GlanceError } from '../engine/errors.ts';
import { resolveGenerationOptions } from '../engine/generation/generation-options.ts';

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'there is no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a folder on its path is a file',
};

/** A readable regular file at every path, else INVALID_INPUT naming the path and why. */
export async function checkImageFiles(paths: readonly string[]): Promise<void> {
  for (const path of new Set(paths)) {
    let why: string | undefined;
    try {
      if (!(await stat(path)).isFile()) why = 'it is not a file (a folder?)';
      else await access(path, constants.R_OK);
    } catch (error) {
      why = readProblem(error);
    }
    if (why !== undefined) throw cannotRead(path, why);
  }
}

/** Why a file could not be read, in words (the errno code when it has no words here). */
export function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is not a file (a folder?)';
  return (code && WHY[code]) ?? (code || (error as Error).message);
}

export function cannotRead(path: string, why: string): GlanceError {
  return new GlanceError(ErrorCode.InvalidInput, `cannot read image ${path}: ${why}. Check the path.`, { path });
}

/**
 * The generation options' own checks (values, and combinations such as sampling flags without --do-sample), which do
 * not depend on the model; the model's ids are filled in when the engine runs them.
 */
export function checkGenerationOptions(options: Record<string, unknown>): void {
  resolveGenerationOptions(options, { eosTokenIds: [], padTokenId: 0 });
}
