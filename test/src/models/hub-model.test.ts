/**
 * resolveModel with a Hub id, against a local fake Hub (fake-hub.ts) serving the tiny OPT fixture: only the files the
 * converter needs are downloaded, checksums verified, progress reported, and the converted bundle captions like
 * transformers; a second call uses the snapshot and the bundle without a single request; an interrupted download
 * resumes with a Range request; corrupt bytes are refused and deleted; concurrent starts download once (a lock file); an unknown repo, an unknown revision and an
 * unreachable Hub are MODEL_UNAVAILABLE.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { resolveModel } from '../../../src/models/resolve-model.ts';
import { SNAPSHOT_MARKER } from '../../../src/models/hub-snapshot.ts';
import { synthesizeCheckpoint } from '../../../engine/convert/synthesize-checkpoint.ts';
import { TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { GOLDEN_CAPTION, astronautCaption } from './caption-check.ts';
import { FAKE_COMMIT, startFakeHub, type FakeHub } from './fake-hub.ts';

const REPO = 'glance-test/tiny-blip2-opt';
const NEEDED = ['config.json', 'model.safetensors', 'preprocessor_config.json', 'processor_config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];
let hub: FakeHub;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'glance-hub-'));
  hub = await startFakeHub({ repo: REPO, folder: TINY_OPT, extraFiles: { 'onnx/unused.safetensors': Buffer.from('not needed'), 'model.variant.safetensors': Buffer.from('another variant') } });
});

afterAll(async () => {
  await hub?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  hub.requests.length = 0;
  hub.faults.cutOnce = undefined;
  hub.faults.corrupt = undefined;
  hub.faults.ignoreRange = undefined;
  hub.faults.stallOnce = undefined;
  hub.faults.listedSize = undefined;
});

const snapshotDir = (dataDir: string) => join(dataDir, 'hub', 'glance-test--tiny-blip2-opt', FAKE_COMMIT);
const downloadsOf = (file: string) => hub.requests.filter((r) => (r.path.endsWith(`/${file}`)) && r.range !== 'bytes=0-0' && r.bodyBytes > 0);

describe('resolveModel (Hub id)', () => {
  it('downloads only the checkpoint files, verified, converts them, and the bundle captions like transformers; the next call makes no request', async () => {
    const dataDir = join(work, 'data-main');
    const progress: { phase: string; file?: string; done: number; total: number }[] = [];
    const resolved = await resolveModel(REPO, { dataDir, hubUrl: hub.url, onProgress: (p) => progress.push(p) });
    expect(resolved.source).toBe('hub');
    expect(resolved.modelId).toBe(REPO);
    expect(resolved.bundleDir.startsWith(join(dataDir, 'models', `glance-test--tiny-blip2-opt-${FAKE_COMMIT.slice(0, 12)}-`))).toBe(true);

    const fetched = new Set(hub.requests.filter((r) => r.bodyBytes > 0 && !r.path.startsWith('/api/')).map((r) => r.path.split('/').at(-1)));
    expect([...fetched].sort()).toEqual(NEEDED);
    for (const file of NEEDED) expect(readFileSync(join(snapshotDir(dataDir), file)).equals(hub.fileBytes(file))).toBe(true);
    expect(existsSync(join(snapshotDir(dataDir), 'goldens.json'))).toBe(false);
    expect(existsSync(join(snapshotDir(dataDir), SNAPSHOT_MARKER))).toBe(true);
    expect(readFileSync(join(dataDir, 'hub', 'glance-test--tiny-blip2-opt', 'refs', 'main'), 'utf8').trim()).toBe(FAKE_COMMIT);

    // download progress is per file (done of the file's bytes, rising to its size), files one after the other
    const downloads = progress.filter((p) => p.phase === 'download');
    expect([...new Set(downloads.map((p) => p.file))].sort()).toEqual(NEEDED);
    for (const file of NEEDED) {
      const own = downloads.filter((p) => p.file === file);
      expect(own.every((p) => p.total === hub.fileBytes(file).byteLength)).toBe(true);
      expect(own.map((p) => p.done)).toEqual([...own.map((p) => p.done)].sort((a, b) => a - b));
      expect(own.at(-1)!.done).toBe(own[0].total);
    }
    const converts = progress.filter((p) => p.phase === 'convert');
    expect(converts.length).toBeGreaterThan(0);
    expect(converts.every((p) => p.file === undefined && p.total === converts[0].total)).toBe(true);
    expect(converts.at(-1)!.done).toBe(converts[0].total);

    expect(await astronautCaption(resolved.bundleDir)).toBe(GOLDEN_CAPTION);

    hub.requests.length = 0;
    const again: unknown[] = [];
    const second = await resolveModel(REPO, { dataDir, hubUrl: hub.url, onProgress: (p) => again.push(p) });
    expect(second).toEqual(resolved);
    expect(hub.requests).toEqual([]);
    expect(again).toEqual([]);
  });

  it('downloads once when two starts ask for the same model at the same time', async () => {
    const dataDir = join(work, 'data-concurrent');
    const [a, b] = await Promise.all([resolveModel(REPO, { dataDir, hubUrl: hub.url }), resolveModel(REPO, { dataDir, hubUrl: hub.url })]);
    expect(a).toEqual(b);
    for (const file of NEEDED) expect(downloadsOf(file)).toHaveLength(1);
    expect(existsSync(join(dataDir, 'hub', 'glance-test--tiny-blip2-opt', '.lock'))).toBe(false);
  });

  it('waits while another process holds the lock, and takes over a stale one', async () => {
    const dataDir = join(work, 'data-locked');
    const lock = join(dataDir, 'hub', 'glance-test--tiny-blip2-opt', '.lock');
    mkdirSync(dirname(lock), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: 1, host: 'elsewhere' }));
    const lines: string[] = [];
    let release: () => void = () => undefined;
    const waiting = new Promise<void>((done) => (release = done));
    const log = createLogger('info', {
      write(line: string) {
        lines.push(line);
        if (line.includes('waiting for another glance process')) release();
      },
    });
    const run = resolveModel(REPO, { dataDir, hubUrl: hub.url, log });
    await waiting;
    expect(hub.requests).toEqual([]);
    rmSync(lock);
    const resolved = await run;
    expect(existsSync(join(resolved.bundleDir, 'manifest.json'))).toBe(true);

    const stale = join(work, 'data-stale');
    const staleLock = join(stale, 'hub', 'glance-test--tiny-blip2-opt', '.lock');
    mkdirSync(dirname(staleLock), { recursive: true });
    writeFileSync(staleLock, '{}');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(staleLock, anHourAgo, anHourAgo);
    const taken = await resolveModel(REPO, { dataDir: stale, hubUrl: hub.url, log });
    expect(existsSync(join(taken.bundleDir, 'manifest.json'))).toBe(true);
    expect(lines.some((line) => line.includes('taking over a stale lock'))).toBe(true);
  });

  it('downloads exactly the shards the index names from a sharded repository', async () => {
    const folder = join(work, 'sharded');
    await synthesizeCheckpoint({ config: readJson(join(TINY_OPT, 'config.json')), preprocessor: readJson(join(TINY_OPT, 'preprocessor_config.json')), tokenizerDir: TINY_OPT, outDir: folder, seed: 7, maxShardBytes: 2_000_000 });
    const shards: string[] = [...new Set(Object.values(readJson(join(folder, 'model.safetensors.index.json')).weight_map as Record<string, string>))].sort();
    expect(shards.length).toBeGreaterThan(1);
    const sharded = await startFakeHub({ repo: 'glance-test/sharded', folder, extraFiles: { 'model-00009-of-00009.safetensors': Buffer.from('stray') } });
    try {
      const dataDir = join(work, 'data-sharded');
      const resolved = await resolveModel('glance-test/sharded', { dataDir, hubUrl: sharded.url });
      const fetched = sharded.requests.filter((r) => r.bodyBytes > 1 && r.path.endsWith('.safetensors')).map((r) => r.path.split('/').at(-1));
      expect([...new Set(fetched)].sort()).toEqual(shards);
      expect(existsSync(join(resolved.bundleDir, 'manifest.json'))).toBe(true);
    } finally {
      await sharded.close();
    }
  });

  it('pins a revision: owner/name@commit downloads that commit and names it in the model id', async () => {
    const dataDir = join(work, 'data-pinned');
    const resolved = await resolveModel(`${REPO}@${FAKE_COMMIT}`, { dataDir, hubUrl: hub.url });
    expect(resolved.modelId).toBe(`${REPO}@${FAKE_COMMIT}`);
    expect(hub.requests.some((r) => r.path === `/api/models/${REPO}/tree/${FAKE_COMMIT}`)).toBe(true);
    hub.requests.length = 0;
    await resolveModel(`${REPO}@${FAKE_COMMIT}`, { dataDir, hubUrl: hub.url });
    expect(hub.requests).toEqual([]);
  });

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
