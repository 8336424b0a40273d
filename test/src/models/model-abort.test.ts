/**
 * Stopping a model's preparation (Ctrl-C during `glance start`): a conversion stopped half-way rejects with the
 * signal's reason and leaves nothing in the data directory (no bundle, no partial folder, no lock); the next call
 * converts it in full. A signal that has already fired stops the call before any work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { resolveModel } from '../../../src/models/resolve-model.ts';
import { TINY_OPT } from '../../helpers/fixtures.ts';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-model-abort-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const interrupted = () => new GlanceError(ErrorCode.Aborted, 'start-up was interrupted by SIGTERM');

describe('stopping a model preparation', () => {
  it('stops a conversion half-way, leaving nothing behind, and converts in full next time', async () => {
    const dataDir = join(work, 'data');
    const controller = new AbortController();
    let reports = 0;
    const stopped = resolveModel(TINY_OPT, {
      dataDir,
      signal: controller.signal,
      onProgress: () => {
        if (++reports === 1) controller.abort(interrupted());
      },
    });
    await expect(stopped).rejects.toMatchObject({ code: ErrorCode.Aborted, message: 'start-up was interrupted by SIGTERM' });
    expect(reports).toBe(1);
    expect(readdirSync(join(dataDir, 'models'))).toEqual([]);

    const resolved = await resolveModel(TINY_OPT, { dataDir });
    expect(resolved.source).toBe('checkpoint');
    expect(readdirSync(join(dataDir, 'models'))).toHaveLength(1);
  });

  it('does nothing when the signal has already fired', async () => {
    const dataDir = join(work, 'untouched');
    await expect(resolveModel(TINY_OPT, { dataDir, signal: AbortSignal.abort(interrupted()) })).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(existsSync(dataDir)).toBe(false);
  });
});
