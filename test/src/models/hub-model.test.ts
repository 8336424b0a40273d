/**
 * resolveModel with a Hub id, against a local fake Hub (fake-hub.ts) serving the tiny OPT fixture: only the files the
 * converter reads are downloaded, verified and reported, and the converted bundle captions like transformers; a
 * second call uses the snapshot and the bundle without a single request; concurrent starts download once (a lock
 * file); a sharded repository gives exactly its index's shards; a pinned revision is its own snapshot.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { synthesizeCheckpoint } from '../../../engine/convert/synthesize-checkpoint.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { SNAPSHOT_MARKER } from '../../../src/models/hub-snapshot.ts';
import { resolveModel } from '../../../src/models/resolve-model.ts';
import { TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { GOLDEN_CAPTION, astronautCaption } from './caption-check.ts';
import { FAKE_COMMIT, startFakeHub, type FakeHub } from './fake-hub.ts';
import { NEEDED, REPO, useTinyHub } from './tiny-hub.ts';

const tiny = useTinyHub();
let hub: FakeHub;
let work: string;
let snapshotDir: (dataDir: string) => string;
let downloadsOf: (file: string) => FakeHub['requests'];
beforeEach(() => ({ hub, work, snapshotDir, downloadsOf } = tiny()));

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

  it('fetches Xet-stored files through the resolve URL (the Hub answers the size probe with Xet file info)', async () => {
    const xetHub = await startFakeHub({ repo: REPO, folder: TINY_OPT, xet: true });
    try {
      const dataDir = join(work, 'data-xet');
      const resolved = await resolveModel(REPO, { dataDir, hubUrl: xetHub.url });
      expect(readFileSync(join(snapshotDir(dataDir), 'model.safetensors')).equals(xetHub.fileBytes('model.safetensors'))).toBe(true);
      expect(xetHub.requests.some((r) => r.path.startsWith('/xet') || r.path.startsWith('/cas'))).toBe(false);
      expect(existsSync(join(resolved.bundleDir, 'manifest.json'))).toBe(true);
    } finally {
      await xetHub.close();
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
});
