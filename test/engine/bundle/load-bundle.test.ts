/** A bundle is checked at load: manifest schema, every file present, weights not truncated, graph names as recorded. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../../engine/bundle/load-bundle.ts';
import { MANIFEST_VERSION } from '../../../engine/bundle/manifest.ts';
import { ErrorCode } from '../../../engine/errors.ts';
import { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { editJsonFile } from '../../helpers/fixtures.ts';
import { convertTinyOpt } from '../../helpers/tiny-bundle.ts';

let pristine: { dir: string; cleanup: () => void };
let work: string;
let bundle: string;

beforeAll(async () => {
  pristine = await convertTinyOpt();
});
afterAll(() => pristine?.cleanup());

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-bundle-'));
  bundle = join(work, 'bundle');
  cpSync(pristine.dir, bundle, { recursive: true });
  return () => rmSync(work, { recursive: true, force: true });
});

const editManifest = (edit: (manifest: any) => void) => editJsonFile(join(bundle, 'manifest.json'), edit);

describe('loadBundle', () => {
  it('loads a converted bundle', async () => {
    const loaded = await loadBundle(bundle);
    expect(loaded.manifest.model.architecture).toBe('blip2-opt');
    expect(loaded.manifest.graphs.decoder.inputs.map((t) => t.name)).toContain('attention_mask');
  });

  it('refuses a manifest field of the wrong type, naming the field', async () => {
    editManifest((m) => (m.model.numLayers = 'two'));
    await expect(loadBundle(bundle)).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining('model.numLayers') });
  });

  it('refuses a manifest that is not JSON, or is from another format version', async () => {
    writeFileSync(join(bundle, 'manifest.json'), '{ nope');
    await expect(loadBundle(bundle)).rejects.toMatchObject({ code: ErrorCode.BundleInvalid });
    cpSync(join(pristine.dir, 'manifest.json'), join(bundle, 'manifest.json'));
    editManifest((m) => (m.version = 99));
    await expect(loadBundle(bundle)).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining('version 99 bundle, made by a newer glance') });
  });

  it('refuses a bundle an older glance converted (another KV-cache layout), saying to convert again', async () => {
    editManifest((m) => (m.version = MANIFEST_VERSION - 1));
    const refused = loadBundle(bundle);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining(`version ${MANIFEST_VERSION - 1} bundle, made by an older glance; this glance reads version ${MANIFEST_VERSION}`) });
    await expect(refused).rejects.toMatchObject({ message: expect.stringContaining('glance convert') });
  });

  it('refuses a bundle with a missing graph or truncated weights', async () => {
    rmSync(join(bundle, 'vision.onnx'));
    await expect(loadBundle(bundle)).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining('vision.onnx') });
    cpSync(join(pristine.dir, 'vision.onnx'), join(bundle, 'vision.onnx'));
    truncateSync(join(bundle, 'weights.bin'), statSync(join(bundle, 'weights.bin')).size - 1000);
    await expect(loadBundle(bundle)).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining('truncated') });
  });

  it('refuses a graph whose inputs differ from the manifest', async () => {
    editManifest((m) => (m.graphs.decoder.inputs[0].name = 'renamed_input'));
    await expect(Blip2Runtime.open(bundle, { provider: 'cpu' })).rejects.toMatchObject({ code: ErrorCode.BundleInvalid, message: expect.stringContaining('do not match the manifest') });
  });
});
