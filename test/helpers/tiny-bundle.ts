/** Converts the tiny OPT fixture once per test file into a temporary bundle. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../engine/convert/convert-checkpoint.ts';
import { TINY_OPT } from './fixtures.ts';

export async function convertTinyOpt(): Promise<{ dir: string; cleanup: () => void }> {
  const work = mkdtempSync(join(tmpdir(), 'glance-tiny-'));
  const dir = join(work, 'bundle');
  await convertCheckpoint({ checkpointDir: TINY_OPT, outDir: dir });
  return { dir, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}
