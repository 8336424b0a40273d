/**
 * CUDA is asked for only when onnxruntime-node's CUDA provider libraries are installed: asking without them makes
 * onnxruntime print a native "Failed to load library … providers_shared" line, so the runtime checks the files first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { missingCudaLibraries } from '../../../engine/runtime/onnx-runtime.ts';

let folder: string | undefined;
afterEach(() => folder && rmSync(folder, { recursive: true, force: true }));

describe('missingCudaLibraries', () => {
  it('names both provider libraries in a default (CPU-only) install folder', () => {
    folder = mkdtempSync(join(tmpdir(), 'glance-ort-'));
    writeFileSync(join(folder, 'libonnxruntime.so.1'), '');
    expect(missingCudaLibraries(folder, 'linux')).toEqual(['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']);
  });

  it('is empty once a cuda12 install has put them there (Linux and Windows names)', () => {
    folder = mkdtempSync(join(tmpdir(), 'glance-ort-'));
    for (const name of ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so', 'onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll']) writeFileSync(join(folder, name), '');
    expect(missingCudaLibraries(folder, 'linux')).toEqual([]);
    expect(missingCudaLibraries(folder, 'win32')).toEqual([]);
  });

  it('treats macOS as having no CUDA provider at all', () => {
    folder = mkdtempSync(join(tmpdir(), 'glance-ort-'));
    expect(missingCudaLibraries(folder, 'darwin')).not.toEqual([]);
  });
});
