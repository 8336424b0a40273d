/**
 * The fake Hub serving the tiny OPT fixture (plus two safetensors files the converter does not need), started once per
 * test file, with its faults cleared and request log emptied before each test.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TINY_OPT } from '../../helpers/fixtures.ts';
import { FAKE_COMMIT, startFakeHub, type FakeHub } from './fake-hub.ts';

export const REPO = 'glance-test/tiny-blip2-opt';
/** The files of the fixture the converter reads: what a download fetches. */
export const NEEDED = ['config.json', 'model.safetensors', 'preprocessor_config.json', 'processor_config.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];

export interface TinyHub {
  hub: FakeHub;
  /** A fresh temporary folder for this file's data directories. */
  work: string;
  snapshotDir(dataDir: string): string;
  /** Body transfers of `file` (not the 1-byte size probes). */
  downloadsOf(file: string): FakeHub['requests'];
}

export function useTinyHub(): () => TinyHub {
  let state: TinyHub | undefined;
  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'glance-hub-'));
    const hub = await startFakeHub({ repo: REPO, folder: TINY_OPT, extraFiles: { 'onnx/unused.safetensors': Buffer.from('not needed'), 'model.variant.safetensors': Buffer.from('another variant') } });
    state = {
      hub,
      work,
      snapshotDir: (dataDir) => join(dataDir, 'hub', 'glance-test--tiny-blip2-opt', FAKE_COMMIT),
      downloadsOf: (file) => hub.requests.filter((r) => r.path.endsWith(`/${file}`) && r.range !== 'bytes=0-0' && r.bodyBytes > 0),
    };
  });
  afterAll(async () => {
    await state?.hub.close();
    if (state) rmSync(state.work, { recursive: true, force: true });
  });
  beforeEach(() => {
    if (!state) return;
    state.hub.requests.length = 0;
    for (const key of Object.keys(state.hub.faults)) delete state.hub.faults[key as keyof FakeHub['faults']];
  });
  return () => {
    if (!state) throw new Error('the fake Hub starts in beforeAll');
    return state;
  };
}
