/**
 * resolveModel on local folders: a bundle is used as it is; a checkpoint folder is converted once under the data
 * directory and reused (a folder without the marker is converted again); missing folders, folders that are neither, and non-ids are MODEL_UNAVAILABLE with a message that says what to pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { CONVERTED_MARKER } from '../../../src/models/converted-checkpoint.ts';
import { demoModel } from '../../../src/models/demo-model.ts';
import { resolveModel } from '../../../src/models/resolve-model.ts';
import { TINY_OPT } from '../../helpers/fixtures.ts';
import { convertTinyOpt, type TinyBundle } from '../../helpers/tiny-bundle.ts';
import { GOLDEN_CAPTION, astronautCaption } from './caption-check.ts';

let work: string;
let bundle: TinyBundle;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'glance-models-'));
  bundle = await convertTinyOpt();
});

afterAll(() => {
  bundle?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('resolveModel (local folders)', () => {
  it('uses a converted bundle folder as it is', async () => {
    const resolved = await resolveModel(bundle.dir, { dataDir: join(work, 'data-bundle') });
    expect(resolved).toEqual({ bundleDir: bundle.dir, modelId: 'bundle', source: 'bundle' });
    expect(existsSync(join(work, 'data-bundle'))).toBe(false);
  });

  it('converts a checkpoint folder once into the data directory and reuses it', async () => {
    const checkpoint = join(work, 'my-checkpoint');
    cpSync(TINY_OPT, checkpoint, { recursive: true });
    const dataDir = join(work, 'data-checkpoint');
    const progress: string[] = [];
    const first = await resolveModel(checkpoint, { dataDir, onProgress: (p) => progress.push(p.phase) });
    expect(first.source).toBe('checkpoint');
    expect(first.bundleDir.startsWith(join(dataDir, 'models', 'my-checkpoint-'))).toBe(true);
    expect(first.modelId).toMatch(/^my-checkpoint-[0-9a-f]{16}$/);
    expect(progress.length).toBeGreaterThan(0);
    expect(new Set(progress)).toEqual(new Set(['convert']));
    expect(await astronautCaption(first.bundleDir)).toBe(GOLDEN_CAPTION);

    const markerTime = statSync(join(first.bundleDir, CONVERTED_MARKER)).mtimeMs;
    const again: string[] = [];
    const second = await resolveModel(checkpoint, { dataDir, onProgress: (p) => again.push(p.phase) });
    expect(second).toEqual(first);
    expect(again).toEqual([]);
    expect(statSync(join(first.bundleDir, CONVERTED_MARKER)).mtimeMs).toBe(markerTime);

    // A folder without the marker (an interrupted conversion) is never used: it is converted again.
    rmSync(join(first.bundleDir, CONVERTED_MARKER));
    writeFileSync(join(first.bundleDir, 'leftover.txt'), 'partial');
    const third = await resolveModel(checkpoint, { dataDir });
    expect(third.bundleDir).toBe(first.bundleDir);
    expect(existsSync(join(first.bundleDir, CONVERTED_MARKER))).toBe(true);
    expect(existsSync(join(first.bundleDir, 'leftover.txt'))).toBe(false);

    // A changed checkpoint (different files) converts into a new folder.
    writeFileSync(join(checkpoint, 'README.md'), 'changed');
    const fourth = await resolveModel(checkpoint, { dataDir });
    expect(fourth.bundleDir).not.toBe(first.bundleDir);
  });

  it('refuses a missing folder, a folder that is neither bundle nor checkpoint, a file and a non-id with MODEL_UNAVAILABLE', async () => {
    const dataDir = join(work, 'data-errors');
    await expect(resolveModel(join(work, 'nowhere'), { dataDir })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/does not exist.*Hub id/s) });
    const empty = join(work, 'empty');
    mkdirSync(empty);
    await expect(resolveModel(empty, { dataDir })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/neither a glance bundle.*nor a Hugging Face checkpoint/) });
    writeFileSync(join(work, 'a-file'), 'x');
    await expect(resolveModel(join(work, 'a-file'), { dataDir })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable });
    await expect(resolveModel('not an id', { dataDir })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/not a Hub id/) });
    await expect(resolveModel('  ', { dataDir })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/--demo/) });
  });

  it('passes the converter\'s coded error through for a broken checkpoint', async () => {
    const broken = join(work, 'broken');
    mkdirSync(broken);
    cpSync(join(TINY_OPT, 'config.json'), join(broken, 'config.json'));
    await expect(resolveModel(broken, { dataDir: join(work, 'data-broken') })).rejects.toMatchObject({ code: ErrorCode.CheckpointMissingFile });
  });
});

describe('the data directory', () => {
  it('is MODEL_UNAVAILABLE naming GLANCE_DATA_DIR when it cannot hold the model', async () => {
    const blocked = join(work, 'blocked');
    writeFileSync(blocked, 'a file where the data directory should be');
    await expect(demoModel(blocked)).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/data directory .*blocked is not a folder.*GLANCE_DATA_DIR/) });
    await expect(resolveModel(TINY_OPT, { dataDir: blocked })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/GLANCE_DATA_DIR/) });
  });
});
