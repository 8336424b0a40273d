/**
 * `npm run formats` (bench/formats-main.ts): converts every tiny reference fixture present in ../shared/fixtures
 * (OPT, T5, ITM) in every weight format the family allows (T5: not fp16, refused by design) and
 * measures each bundle against the transformers float32 goldens:
 *
 * - generative families: the fraction of golden `generate` tokens reproduced (the common prefix of each output with
 *   its golden, summed over every photo × setting, over the golden tokens), the fraction of whole sequences
 *   reproduced, and the largest deviation of the first-step logits from the goldens' top-5 values (every photo ×
 *   prompt), with how often the top-1 token is still the golden one;
 * - retrieval (ITM): the largest deviation of the match probability (every image × text pair) and of the ITC
 *   similarity (the 4 × 4 matrix) from the goldens.
 *
 * Nothing is hidden: every format's numbers are printed, whatever they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertCheckpoint } from '../engine/convert/convert-checkpoint.ts';
import { DEFAULT_ACCURACY_LEVEL, DEFAULT_BLOCK_SIZE } from '../engine/convert/weight-format.ts';
import { BUNDLE_DTYPES, type WeightFormat } from '../engine/bundle/weight-formats.ts';
import { Blip2Runtime } from '../engine/runtime/blip2-runtime.ts';
import type { ExecutionProvider } from '../engine/runtime/onnx-runtime.ts';
import { commonPrefixLength, generationOptionsOf, goldenNewTokens, promptOf } from './golden-reading.ts';
import { RetrievalRuntime, itcSimilarity, matchProbability } from '../engine/runtime/retrieval-runtime.ts';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const IMAGES = join(FIXTURES, 'images');

export interface FormatRow {
  fixture: string;
  format: string;
  bundleBytes: number;
  /** generative: golden generate tokens reproduced (common prefix) / golden tokens */
  tokensReproduced?: number;
  /** generative: whole golden sequences reproduced / sequences */
  sequencesReproduced?: number;
  /** generative: max |logit − golden| over the golden top-5 of every first-step entry */
  firstStepMaxDeviation?: number;
  /** generative: fraction of first-step entries whose top-1 token is the golden top-1 */
  top1Agreement?: number;
  /** retrieval: max |match probability − golden| */
  matchProbabilityMaxDeviation?: number;
  /** retrieval: max |ITC similarity − golden| */
  similarityMaxDeviation?: number;
  /** why a format was not measured (refused by design, or the family cannot run yet) */
  skipped?: string;
}

export function formatLabel(format: WeightFormat): string {
  return format.blockSize === undefined ? format.dtype : `${format.dtype} (block ${format.blockSize}, accuracy ${format.accuracyLevel})`;
}

/** Every dtype with the defaults, plus the quantization variants the defaults were chosen from. */
export function reportFormats(): WeightFormat[] {
  const formats: WeightFormat[] = BUNDLE_DTYPES.map((dtype) =>
    dtype === 'int8' || dtype === 'int4' ? { dtype, blockSize: DEFAULT_BLOCK_SIZE, accuracyLevel: DEFAULT_ACCURACY_LEVEL } : { dtype },
  );
  for (const dtype of ['int8', 'int4'] as const) {
    formats.push({ dtype, blockSize: DEFAULT_BLOCK_SIZE, accuracyLevel: 0 });
    formats.push({ dtype, blockSize: 16, accuracyLevel: DEFAULT_ACCURACY_LEVEL });
  }
  return formats;
}

async function bundleBytes(dir: string): Promise<number> {
  let total = 0;
  for (const file of await readdir(dir)) if (/\.(onnx|bin)$/.test(file)) total += (await stat(join(dir, file))).size;
  return total;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const image = (file: string) => readFileSync(join(IMAGES, file));

/**
 * OPT and T5 alike. `captionEntry` is the first-step entry with no prompt; a decoder-only model's default
 * max_length also counts the prompt (`promptCounts`), an encoder-decoder's does not.
 */
async function measureGenerative(bundleDir: string, goldens: any, provider: ExecutionProvider, captionEntry: string, promptCounts: boolean): Promise<Partial<FormatRow>> {
  const runtime = await Blip2Runtime.open(bundleDir, { provider, threads: 1 });
  try {
    let golden = 0, reproduced = 0, sequences = 0, exact = 0, deviation = 0, entries = 0, top1 = 0;
    const pad = goldens.model.language_model.pad_token_id;
    for (const [photo, expected] of Object.entries<any>(goldens.images)) {
      const [embedding] = await runtime.encodeImages([image(photo)]);
      for (const [name, entry] of Object.entries<any>(expected.first_step_logits)) {
        const prompt = name === captionEntry ? '' : goldens.prompts[name].text;
        const logits = await runtime.decoderSession([{ queryEmbeds: embedding.queryEmbeds, prompt }]).prefill();
        entry.top5.ids.forEach((id: number, i: number) => (deviation = Math.max(deviation, Math.abs(logits[id] - entry.top5.values[i]))));
        let best = 0;
        for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        entries++;
        if (best === entry.top5.ids[0]) top1++;
      }
      for (const [setting, entry] of Object.entries<any>(expected.generate)) {
        const prompt = promptOf(setting, entry, goldens.prompts);
        const promptLength = promptCounts ? runtime.tokenizer.encode(prompt).ids.length : 0;
        const [output] = await runtime.generate([{ queryEmbeds: embedding.queryEmbeds, prompt }], generationOptionsOf(entry.kwargs, promptLength));
        const tokens = goldenNewTokens(entry.outputs[0].sequence, pad);
        const got = output.sequence.slice(1);
        golden += tokens.length;
        reproduced += commonPrefixLength(got, tokens);
        sequences++;
        if (got.length === tokens.length && commonPrefixLength(got, tokens) === tokens.length) exact++;
      }
    }
    return { tokensReproduced: reproduced / golden, sequencesReproduced: exact / sequences, firstStepMaxDeviation: deviation, top1Agreement: top1 / entries };
  } finally {
    await runtime.close();
  }
}

async function measureItm(bundleDir: string, goldens: any, provider: ExecutionProvider): Promise<Partial<FormatRow>> {
  const runtime = await RetrievalRuntime.open(bundleDir, { provider, threads: 1 });
  try {
    const images: string[] = goldens.images;
    const texts: string[] = goldens.texts.texts;
    const features = await runtime.encodeImages(images.map(image));
    const embeds = await runtime.embedTexts(texts);
    let probability = 0, similarity = 0;
    for (const [n, name] of images.entries()) {
      for (const [t, text] of texts.entries()) {
        const logits = await runtime.itmLogits(features[n].visionHidden, 1, runtime.tokenize([text]));
        probability = Math.max(probability, Math.abs(matchProbability([logits[0], logits[1]]) - goldens.itm_pairs_batch1[`${name}|${text}`].prob_match));
        const s = itcSimilarity(features[n].imageEmbeds, embeds[t].embedding, runtime.model.numQueryTokens).similarity;
        similarity = Math.max(similarity, Math.abs(s - goldens.itc.logits_per_image[n][t]));
      }
    }
    return { matchProbabilityMaxDeviation: probability, similarityMaxDeviation: similarity };
  } finally {
    await runtime.close();
  }
}

interface Fixture {
  name: string;
  family: string;
  measure: (bundleDir: string, goldens: any, provider: ExecutionProvider) => Promise<Partial<FormatRow>>;
}

const FIXTURE_LIST: Fixture[] = [
  { name: 'tiny-blip2-opt', family: 'blip2-opt', measure: (dir, goldens, provider) => measureGenerative(dir, goldens, provider, 'caption_bos_only', true) },
  { name: 'tiny-blip2-t5', family: 'blip2-t5', measure: (dir, goldens, provider) => measureGenerative(dir, goldens, provider, 'caption_eos_only', false) },
  { name: 'tiny-blip2-itm', family: 'blip2-itm', measure: measureItm },
];

export interface FormatsReportOptions {
  work: string;
  formats?: WeightFormat[];
  /** Where the bundles run (default cpu; gpu-check runs them on cuda). */
  provider?: ExecutionProvider;
  onStep?: (label: string, done: number, total: number) => void;
}

export async function runFormatsReport(options: FormatsReportOptions): Promise<FormatRow[]> {
  const formats = options.formats ?? reportFormats();
  const fixtures = FIXTURE_LIST.filter((f) => existsSync(join(FIXTURES, f.name, 'goldens.json')));
  const rows: FormatRow[] = [];
  const total = fixtures.length * formats.length;
  for (const fixture of fixtures) {
    const goldens = readJson(join(FIXTURES, fixture.name, 'goldens.json'));
    for (const format of formats) {
      const label = formatLabel(format);
      options.onStep?.(`${fixture.name} ${label}`, rows.length, total);
      const dir = join(options.work, `${fixture.name}-${format.dtype}-${format.blockSize ?? 0}-${format.accuracyLevel ?? 0}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(options.work, { recursive: true });
      try {
        await convertCheckpoint({ checkpointDir: join(FIXTURES, fixture.name), outDir: dir, dtype: format.dtype, blockSize: format.blockSize, accuracyLevel: format.accuracyLevel });
      } catch (error) {
        rows.push({ fixture: fixture.name, format: label, bundleBytes: 0, skipped: `refused: ${(error as Error).message.split(':')[0]}` });
        continue;
      }
      const row: FormatRow = { fixture: fixture.name, format: label, bundleBytes: await bundleBytes(dir) };
      try {
        Object.assign(row, await fixture.measure(dir, goldens, options.provider ?? 'cpu'));
      } catch (error) {
        row.skipped = `could not run: ${(error as Error).message.slice(0, 120)}`;
      }
      rows.push(row);
      await rm(dir, { recursive: true, force: true });
    }
  }
  options.onStep?.('done', total, total);
  return rows;
}

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
const sci = (v: number | undefined) => (v === undefined ? '—' : v === 0 ? '0' : v.toExponential(1));

export function renderFormatsReport(rows: readonly FormatRow[]): string {
  const lines: string[] = [];
  for (const fixture of [...new Set(rows.map((r) => r.fixture))]) {
    const own = rows.filter((r) => r.fixture === fixture);
    const fp32 = own.find((r) => r.format === 'fp32')?.bundleBytes;
    const size = (r: FormatRow) => (r.bundleBytes === 0 ? '—' : `${(r.bundleBytes / 1e6).toFixed(2)} MB${fp32 ? ` (${(r.bundleBytes / fp32).toFixed(2)}×)` : ''}`);
    lines.push(`#### ${fixture}`, '');
    if (own.some((r) => r.matchProbabilityMaxDeviation !== undefined)) {
      lines.push('| format | bundle | max Δ match probability | max Δ ITC similarity | note |', '| --- | --- | --- | --- | --- |');
      for (const r of own) lines.push(`| ${r.format} | ${size(r)} | ${sci(r.matchProbabilityMaxDeviation)} | ${sci(r.similarityMaxDeviation)} | ${r.skipped ?? ''} |`);
    } else {
      lines.push('| format | bundle | golden tokens reproduced | whole sequences | max Δ first-step logit (golden top-5) | top-1 = golden | note |', '| --- | --- | --- | --- | --- | --- | --- |');
      for (const r of own) lines.push(`| ${r.format} | ${size(r)} | ${pct(r.tokensReproduced)} | ${pct(r.sequencesReproduced)} | ${sci(r.firstStepMaxDeviation)} | ${pct(r.top1Agreement)} | ${r.skipped ?? ''} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
