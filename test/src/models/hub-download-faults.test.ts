/**
 * Hub downloads that go wrong, against the fake Hub: an interrupted or stalled download resumes with a Range request;
 * a server that ignores the range makes the file start over; corrupt bytes are refused and deleted; a download the
 * disk has no room for is refused first; an unknown repo or revision, a repo without weights, a bad token and an
 * unreachable Hub are MODEL_UNAVAILABLE with a message that says what to do.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { SNAPSHOT_MARKER } from '../../../src/models/hub-snapshot.ts';
import { resolveModel } from '../../../src/models/resolve-model.ts';
import { TINY_OPT } from '../../helpers/fixtures.ts';
import { startFakeHub, type FakeHub } from './fake-hub.ts';
import { REPO, useTinyHub } from './tiny-hub.ts';

const tiny = useTinyHub();
let hub: FakeHub;
let work: string;
let snapshotDir: (dataDir: string) => string;
let downloadsOf: (file: string) => FakeHub['requests'];
beforeEach(() => ({ hub, work, snapshotDir, downloadsOf } = tiny()));

describe('resolveModel (Hub failures)', () => {
  it('resumes an interrupted download with a Range request from where it stopped', async () => {
    const dataDir = join(work, 'data-resume');
    const size = hub.fileBytes('model.safetensors').byteLength;
    hub.faults.cutOnce = { file: 'model.safetensors', afterBytes: Math.floor(size / 2) };
    await expect(resolveModel(REPO, { dataDir, hubUrl: hub.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/model\.safetensors.*Run again: it resumes/s) });
    const partial = join(snapshotDir(dataDir), 'model.safetensors.incomplete');
    const kept = existsSync(partial) ? statSync(partial).size : 0;
    expect(kept).toBeLessThanOrEqual(Math.floor(size / 2));
    expect(existsSync(join(snapshotDir(dataDir), 'model.safetensors'))).toBe(false);
    expect(existsSync(join(snapshotDir(dataDir), SNAPSHOT_MARKER))).toBe(false);
    expect(existsSync(join(dataDir, 'models'))).toBe(false);

    hub.requests.length = 0;
    const resolved = await resolveModel(REPO, { dataDir, hubUrl: hub.url });
    const [download] = downloadsOf('model.safetensors');
    expect(download.range).toBe(kept > 0 ? `bytes=${kept}-${size - 1}` : undefined);
    expect(download.bodyBytes).toBe(size - kept);
    // files finished before the interruption are not fetched again
    expect(downloadsOf('config.json')).toEqual([]);
    expect(readFileSync(join(snapshotDir(dataDir), 'model.safetensors')).equals(hub.fileBytes('model.safetensors'))).toBe(true);
    expect(existsSync(join(resolved.bundleDir, 'manifest.json'))).toBe(true);
  });

  it('aborts a download that stalls (no data for stallTimeoutMs) and resumes it on the next run', async () => {
    const dataDir = join(work, 'data-stall');
    const bytes = hub.fileBytes('model.safetensors');
    hub.faults.stallOnce = { file: 'model.safetensors', afterBytes: 4096 };
    await expect(resolveModel(REPO, { dataDir, hubUrl: hub.url, stallTimeoutMs: 300 })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/model\.safetensors.*no data from the server for 0\.3 s.*resumes/s) });
    const partial = join(snapshotDir(dataDir), 'model.safetensors.incomplete');
    const kept = existsSync(partial) ? statSync(partial).size : 0;
    expect(kept).toBeLessThanOrEqual(4096);
    hub.requests.length = 0;
    await resolveModel(REPO, { dataDir, hubUrl: hub.url, stallTimeoutMs: 300 });
    const [download] = downloadsOf('model.safetensors');
    expect(download.bodyBytes).toBe(bytes.byteLength - kept);
    expect(readFileSync(join(snapshotDir(dataDir), 'model.safetensors')).equals(bytes)).toBe(true);
  });

  it('continues a partial file left on disk and fetches only the rest', async () => {
    const dataDir = join(work, 'data-partial');
    const bytes = hub.fileBytes('model.safetensors');
    mkdirSync(snapshotDir(dataDir), { recursive: true });
    const kept = 1000;
    writeFileSync(join(snapshotDir(dataDir), 'model.safetensors.incomplete'), bytes.subarray(0, kept));
    await resolveModel(REPO, { dataDir, hubUrl: hub.url });
    const [download] = downloadsOf('model.safetensors');
    expect(download).toMatchObject({ range: `bytes=${kept}-${bytes.byteLength - 1}`, bodyBytes: bytes.byteLength - kept });
  });

  it('starts over when the server answers a resume with the whole file instead of the range', async () => {
    const dataDir = join(work, 'data-no-range');
    const bytes = hub.fileBytes('model.safetensors');
    mkdirSync(snapshotDir(dataDir), { recursive: true });
    writeFileSync(join(snapshotDir(dataDir), 'model.safetensors.incomplete'), bytes.subarray(0, 1000));
    hub.faults.ignoreRange = 'model.safetensors';
    await expect(resolveModel(REPO, { dataDir, hubUrl: hub.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/more bytes than the file has.*from the start/) });
    expect(existsSync(join(snapshotDir(dataDir), 'model.safetensors.incomplete'))).toBe(false);
    // with nothing to resume the next run asks for the whole file, which the same server serves correctly
    const resolved = await resolveModel(REPO, { dataDir, hubUrl: hub.url });
    expect(readFileSync(join(snapshotDir(dataDir), 'model.safetensors')).equals(bytes)).toBe(true);
    expect(existsSync(join(resolved.bundleDir, 'manifest.json'))).toBe(true);
  });

  it('refuses bytes that do not match the listed checksum, deletes them and converts nothing', async () => {
    const dataDir = join(work, 'data-corrupt');
    const bad = Buffer.from(hub.fileBytes('model.safetensors'));
    bad[bad.byteLength - 1] ^= 0xff;
    hub.faults.corrupt = { file: 'model.safetensors', bytes: bad };
    await expect(resolveModel(REPO, { dataDir, hubUrl: hub.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/model\.safetensors.*checksum mismatch.*deleted/s) });
    expect(existsSync(join(snapshotDir(dataDir), 'model.safetensors'))).toBe(false);
    expect(existsSync(join(snapshotDir(dataDir), 'model.safetensors.incomplete'))).toBe(false);
    expect(existsSync(join(snapshotDir(dataDir), SNAPSHOT_MARKER))).toBe(false);
    expect(existsSync(join(dataDir, 'models'))).toBe(false);

    // a corrupt leftover partial file is caught the same way, and the next clean run succeeds
    hub.faults.corrupt = undefined;
    writeFileSync(join(snapshotDir(dataDir), 'model.safetensors.incomplete'), Buffer.alloc(1000, 7));
    await expect(resolveModel(REPO, { dataDir, hubUrl: hub.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/checksum mismatch/) });
    const resolved = await resolveModel(REPO, { dataDir, hubUrl: hub.url });
    expect(existsSync(join(resolved.bundleDir, 'manifest.json'))).toBe(true);
  });

  it('refuses a download the data directory has no room for before fetching any weights', async () => {
    const dataDir = join(work, 'data-full');
    hub.faults.listedSize = { file: 'model.safetensors', size: 1e18 };
    await expect(resolveModel(REPO, { dataDir, hubUrl: hub.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/needs 1000000000\.0 GB but .* free.*GLANCE_DATA_DIR/) });
    expect(downloadsOf('model.safetensors')).toEqual([]);
  });

  it('says that no local folder of that name exists either when a mistyped local path is read as a Hub id', async () => {
    const dataDir = join(work, 'data-mistyped');
    const error = await resolveModel('bundles/blip2-q4', { dataDir, hubUrl: hub.url }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: ErrorCode.ModelUnavailable });
    expect((error as Error).message).toContain('has no model bundles/blip2-q4@main (and there is no folder ./bundles/blip2-q4 here)');
  });

  it('answers MODEL_UNAVAILABLE for an unknown repo, an unknown revision, a repo without weights and an unreachable Hub', async () => {
    const dataDir = join(work, 'data-errors');
    await expect(resolveModel('nobody/no-such-model', { dataDir, hubUrl: hub.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/has no model nobody\/no-such-model@main.*HF_TOKEN/) });
    await expect(resolveModel(`${REPO}@v9`, { dataDir, hubUrl: hub.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/has no model glance-test\/tiny-blip2-opt@v9/) });
    await expect(resolveModel(REPO, { dataDir, hubUrl: hub.url, accessToken: 'not-a-token' })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/HF_TOKEN/) });

    const folder = join(work, 'no-weights');
    mkdirSync(folder);
    writeFileSync(join(folder, 'config.json'), '{}');
    writeFileSync(join(folder, 'pytorch_model.bin'), 'weights');
    const noWeights = await startFakeHub({ repo: 'glance-test/no-weights', folder });
    try {
      await expect(resolveModel('glance-test/no-weights', { dataDir, hubUrl: noWeights.url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/not a BLIP-2 checkpoint glance can convert.*safetensors/) });
    } finally {
      await noWeights.close();
    }

    const closed = await startFakeHub({ repo: REPO, folder: TINY_OPT });
    const url = closed.url;
    await closed.close();
    await expect(resolveModel(REPO, { dataDir, hubUrl: url })).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/Could not download .*Check the network/) });
  });
});
