/** parseModelSpec: existing folders win; owner/name[@revision] is a Hub id; anything else says what to pass. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { parseModelSpec } from '../../../src/models/model-spec.ts';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-spec-'));
  mkdirSync(join(work, 'owner', 'name'), { recursive: true });
  writeFileSync(join(work, 'owner', 'name', 'config.json'), '{}');
  mkdirSync(join(work, 'bundle'));
  writeFileSync(join(work, 'bundle', 'manifest.json'), '{}');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('parseModelSpec', () => {
  it('reads Hub ids with and without a revision', async () => {
    expect(await parseModelSpec('Salesforce/blip2-opt-2.7b')).toEqual({ kind: 'hub', repo: 'Salesforce/blip2-opt-2.7b', revision: 'main', revisionGiven: false });
    expect(await parseModelSpec(' Salesforce/blip2-opt-2.7b@refs/pr/3 ')).toEqual({ kind: 'hub', repo: 'Salesforce/blip2-opt-2.7b', revision: 'refs/pr/3', revisionGiven: true });
  });

  it('prefers an existing folder over the Hub reading, and tells bundles from checkpoints', async () => {
    const checkpoint = relative(process.cwd(), join(work, 'owner', 'name'));
    expect(await parseModelSpec(checkpoint)).toEqual({ kind: 'checkpoint', dir: join(work, 'owner', 'name') });
    expect(await parseModelSpec(join(work, 'bundle'))).toEqual({ kind: 'bundle', dir: join(work, 'bundle') });
  });

  it('expands ~ and never sends path-like values to the Hub', async () => {
    await expect(parseModelSpec('~/no-such/model')).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringContaining(join(homedir(), 'no-such', 'model')) });
    await expect(parseModelSpec('./owner/missing')).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/not a Hub id/) });
    await expect(parseModelSpec('a/b/c')).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable });
    await expect(parseModelSpec('')).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/GLANCE_MODEL.*glance start --demo/) });
  });
});
