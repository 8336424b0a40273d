/** Paths of the shared reference fixtures (../shared/fixtures beside the repository) and small readers for them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
export const TINY_OPT = join(FIXTURES, 'tiny-blip2-opt');
export const TINY_T5 = join(FIXTURES, 'tiny-blip2-t5');
export const TINY_ITM = join(FIXTURES, 'tiny-blip2-itm');
export const IMAGES = join(FIXTURES, 'images');
export const CONFIGS = join(FIXTURES, 'configs');

/**
 * The execution provider the model tests open their sessions with: the CPU, or CUDA when `npm run gpu-check` runs the
 * parity suites on a GPU host (it sets GLANCE_TEST_PROVIDER=cuda).
 */
export const TEST_PROVIDER: 'cpu' | 'cuda' = process.env.GLANCE_TEST_PROVIDER === 'cuda' ? 'cuda' : 'cpu';

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readFloat32Bin(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Rewrites a JSON file in place through `edit` (to make broken checkpoints and bundles from good ones). */
export function editJsonFile(path: string, edit: (json: any) => void): void {
  const json = readJson(path);
  edit(json);
  writeFileSync(path, JSON.stringify(json));
}
