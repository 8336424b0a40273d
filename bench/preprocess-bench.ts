/**
 * Preprocessing benchmark: a 12 MP JPEG (a fixture photo upscaled with sharp plus deterministic noise, so it does
 * not compress trivially) through decode → Pillow-exact resize → pixel_values, medians over several runs. When
 * Debian's Pillow is available (/usr/bin/python3 with PIL), the same bytes are timed with Pillow in a child
 * process and its resized bytes are compared with ours. Run alone: `npx tsx bench/preprocess-bench.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImage } from '../engine/preprocess/decode-image.ts';
import { parseImageProcessorConfig } from '../engine/preprocess/image-processor-config.ts';
import { resizePillow } from '../engine/preprocess/pillow-resample.ts';
import { preprocessImage } from '../engine/preprocess/preprocess.ts';
import { median } from './statistics.ts';

export interface PreprocessBenchResult {
  megapixels: number;
  decodeMs: number;
  resizeMs: number;
  normalizeMs: number;
  totalMs: number;
  /** Median of Pillow's open + convert('RGB') + resize((224, 224), BICUBIC) on the same bytes, when available. */
  pillowMs?: number;
  /** Whether our 224x224 resize equals Pillow's bytes for the bench image (only when Pillow ran). */
  pillowBitExact?: boolean;
}

const FIXTURES = new URL('../../shared/fixtures/', import.meta.url);
const SYSTEM_PYTHON = '/usr/bin/python3';
const WIDTH = 4000;
const HEIGHT = 3000;
const RUNS = 7;


/** A 4000x3000 JPEG: astronaut.png stretched, plus xorshift noise of ±12 levels. */
export async function buildBenchJpeg(): Promise<Buffer> {
  const source = readFileSync(new URL('images/astronaut.png', FIXTURES));
  const raw = await sharp(source).resize(WIDTH, HEIGHT, { fit: 'fill', kernel: 'cubic' }).removeAlpha().raw().toBuffer();
  let state = 0x9e3779b9;
  for (let i = 0; i < raw.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const v = raw[i] + ((state >>> 0) % 25) - 12;
    raw[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return sharp(raw, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

const PILLOW_SCRIPT = `
import sys, time, statistics
from PIL import Image
path, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for _ in range(runs):
    t = time.perf_counter()
    im = Image.open(path).convert('RGB').resize((224, 224), Image.BICUBIC)
    times.append((time.perf_counter() - t) * 1000)
open(out, 'wb').write(im.tobytes())
print(statistics.median(times))
`;

function runPillow(jpeg: Buffer): { ms: number; rgb: Buffer } | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'glance-bench-'));
  try {
    const input = join(dir, 'bench.jpg');
    const output = join(dir, 'resized.rgb');
    writeFileSync(input, jpeg);
    const run = spawnSync(SYSTEM_PYTHON, ['-c', PILLOW_SCRIPT, input, output, String(RUNS)], { encoding: 'utf8' });
    if (run.status !== 0) return undefined;
    return { ms: Number(run.stdout.trim()), rgb: readFileSync(output) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPreprocess(): Promise<PreprocessBenchResult> {
  const config = parseImageProcessorConfig(JSON.parse(readFileSync(new URL('tiny-blip2-opt/preprocessor_config.json', FIXTURES), 'utf8')));
  const jpeg = await buildBenchJpeg();
  await preprocessImage(jpeg, config); // warm-up: JIT and sharp's first-call setup
  const decode: number[] = [];
  const resize: number[] = [];
  const normalize: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = await preprocessImage(jpeg, config);
    total.push(performance.now() - started);
    decode.push(result.timingsMs.decode);
    resize.push(result.timingsMs.resize);
    normalize.push(result.timingsMs.normalize);
  }
  const result: PreprocessBenchResult = {
    megapixels: (WIDTH * HEIGHT) / 1e6,
    decodeMs: median(decode),
    resizeMs: median(resize),
    normalizeMs: median(normalize),
    totalMs: median(total),
  };
  const pillow = runPillow(jpeg);
  if (pillow) {
    const ours = resizePillow(await decodeImage(jpeg), 224, 224, 3);
    result.pillowMs = pillow.ms;
    result.pillowBitExact = Buffer.from(ours.data).equals(pillow.rgb);
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchPreprocess(), null, 2));
}
