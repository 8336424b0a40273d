/** A T5 bundle is checked at load like any other: its graphs, its recorded ids, its sessions' tensor names. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../../engine/bundle/load-bundle.ts';
import { ErrorCode } from '../../../engine/errors.ts';
import { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { editJsonFile } from '../../helpers/fixtures.ts';
import { convertTinyT5 } from '../../helpers/tiny-bundle.ts';

let pristine: { dir: string; cleanup: () => void };
let work: string;
let bundle: string;

beforeAll(async () => {
  pristine = await convertTinyT5();
});
afterAll(() => pristine?.cleanup());

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-t5-bundle-'));
  bundle = join(work, 'bundle');
  cpSync(pristine.dir, bundle, { recursive: true });
  return () => rmSync(work, { recursive: true, force: true });
});

const editManifest = (edit: (manifest: any) => void) => editJsonFile(join(bundle, 'manifest.json'), edit);

describe('loadBundle (T5)', () => {
  it('loads a converted T5 bundle with its vision, encoder and decoder graphs', async () => {
    const loaded = await loadBundle(bundle);
    expect(loaded.manifest.model).toMatchObject({ architecture: 'blip2-t5', decoderStartTokenId: 0, eosTokenIds: [1], padTokenId: 0 });
    expect(Object.keys(loaded.manifest.graphs).sort()).toEqual(['decoder', 'encoder', 'vision']);
    expect(loaded.manifest.graphs.encoder.outputs.map((t) => t.name)).toContain('cross_attention.1.value');
  });

  it('refuses a T5 bundle without its encoder graph', async () => {
    editManifest((m) => delete m.graphs.encoder);
    await expect(loadBundle(bundle)).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining('"encoder"') });
  });

  it('refuses a decoder start id outside the vocabulary', async () => {
    editManifest((m) => (m.model.decoderStartTokenId = 99999));
    await expect(loadBundle(bundle)).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining('decoderStartTokenId') });
  });

  it('refuses a graph whose tensor names differ from the manifest', async () => {
    editManifest((m) => (m.graphs.decoder.inputs[0].name = 'renamed'));
    await expect(Blip2Runtime.open(bundle, { provider: 'cpu', threads: 1 })).rejects.toMatchObject({ code: ErrorCode.BundleInvalid });
  });
});
