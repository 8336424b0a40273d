/** Renders benchmark results as the markdown tables of docs/benchmarks.md, with ratios and pass/fail per target. */
import { commonPrefixLength } from './golden-reading.ts';
import type { BenchResults, ModelBenchResult } from './run-bench.ts';

/** Hugging Face transformers (PyTorch 1.13 CPU, float32, 2 threads) on random weights of blip2-opt-2.7b-depth8, this kind of machine. */
export const HF_DEPTH8 = { visionMs: 2240, captionB1Ms: 11_400, firstTokenMs: 4000, perTokenMs: 390, captionB4Ms: 26_500, peakBytes: 4.8e9 };
export const PILLOW_12MP_MS = 250;

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const ratio = (value: number) => `${value.toFixed(2)}×`;
const verdict = (ok: boolean) => (ok ? 'yes' : '**no**');

function modelSection(model: ModelBenchResult, bandwidthGBs: number): string {
  const inf = model.inference;
  const b1 = inf.batches.find((b) => b.batch === 1)!;
  const b4 = inf.batches.find((b) => b.batch === 4);
  const hf = model.config === 'blip2-opt-2.7b-depth8' ? HF_DEPTH8 : undefined;
  const lines: string[] = [];
  lines.push(`### ${model.config} (${(model.parameters / 1e9).toFixed(2)} B parameters, ${gb(inf.weightBytes)} of float32 weights)`, '');
  lines.push('| conversion | value |', '| --- | --- |');
  lines.push(`| time | ${(model.convert.ms / 1000).toFixed(1)} s |`);
  lines.push(`| peak memory (RSS) | ${gb(model.convert.peakRssBytes)} |`);
  lines.push(`| largest tensor | ${gb(model.largestTensorBytes)} (peak = largest + ${gb(model.convert.peakRssBytes - model.largestTensorBytes)}) |`, '');

  lines.push(`| inference (${inf.provider === 'cuda' ? 'CUDA' : `CPU, ${inf.threads || 'all'} threads`}) | glance | transformers (CPU) | ratio | target ≤ 0.5× |`, '| --- | --- | --- | --- | --- |');
  const row = (label: string, ours: number, reference: number | undefined) =>
    lines.push(`| ${label} | ${ms(ours)} | ${reference ? ms(reference) : '—'} | ${reference ? ratio(ours / reference) : '—'} | ${reference ? verdict(ours / reference <= 0.5) : '—'} |`);
  row('vision + Q-Former + projection, batch 1', b1.visionMs, hf?.visionMs);
  row('first token (vision + prefill), batch 1', b1.firstTokenMs, hf?.firstTokenMs);
  row('decode per token, batch 1', b1.decodeMsPerToken, hf?.perTokenMs);
  row(`${inf.newTokens}-token greedy caption, batch 1`, b1.captionMs, hf?.captionB1Ms);
  if (b4) row(`${inf.newTokens}-token greedy caption, batch 4`, b4.captionMs, hf?.captionB4Ms);
  lines.push('');
  lines.push('| detail | batch 1 | batch 4 |', '| --- | --- | --- |');
  lines.push(`| vision | ${ms(b1.visionMs)} | ${b4 ? ms(b4.visionMs) : '—'} |`);
  lines.push(`| prefill (queries + caption prompt) | ${ms(b1.prefillMs)} | ${b4 ? ms(b4.prefillMs) : '—'} |`);
  lines.push(`| decode ms/token | ${b1.decodeMsPerToken.toFixed(1)} | ${b4 ? b4.decodeMsPerToken.toFixed(1) : '—'} |`);
  lines.push(`| tokens/s | ${b1.tokensPerSecond.toFixed(2)} | ${b4 ? b4.tokensPerSecond.toFixed(2) : '—'} |`, '');

  if (inf.provider === 'cuda') {
    // the CPU's copy bandwidth bounds nothing on a GPU; report memory and load only
    lines.push('| memory | value |', '| --- | --- |');
    lines.push(`| peak host memory at inference (RSS) | ${gb(inf.peakRssBytes)} |`);
    lines.push(`| bundle load (sessions created) | ${ms(inf.loadMs)} |`, '');
    if (model.formats.length > 1) lines.push(formatsSection(model));
    return lines.join('\n');
  }
  const boundMs = (inf.decodeStepWeightBytes / (bandwidthGBs * 1e9)) * 1000;
  const fraction = boundMs / b1.decodeMsPerToken;
  const memoryRatio = inf.peakRssBytes / inf.weightBytes;
  lines.push('| bounds | value | target |', '| --- | --- | --- |');
  lines.push(`| weight bytes read per decode step | ${gb(inf.decodeStepWeightBytes)} | |`);
  lines.push(`| bandwidth bound per token (bytes ÷ ${bandwidthGBs.toFixed(1)} GB/s) | ${boundMs.toFixed(1)} ms | |`);
  lines.push(`| fraction of the bound reached at batch 1 | ${(fraction * 100).toFixed(0)} % | ≥ 60 %: ${verdict(fraction >= 0.6)} |`);
  lines.push(`| peak memory at inference (RSS) | ${gb(inf.peakRssBytes)} = ${ratio(memoryRatio)} the weights${hf ? `; transformers ${gb(hf.peakBytes)}` : ''} | ≤ 1.3×: ${verdict(memoryRatio <= 1.3)} |`);
  lines.push(`| bundle load (sessions created) | ${ms(inf.loadMs)} | |`, '');
  if (model.formats.length > 1) lines.push(formatsSection(model));
  return lines.join('\n');
}

/** Targets of the weight-format work: int4 bundle ≤ 0.3 × fp32, int4 decode ≥ 2.5 × fp32 tokens/s at batch 1. */
export const FORMAT_TARGETS = { int4BundleRatio: 0.3, int4DecodeSpeedup: 2.5 };

function formatsSection(model: ModelBenchResult): string {
  const fp32 = model.formats.find((f) => f.dtype === 'fp32')!;
  const b1 = (f: (typeof model.formats)[number]) => f.inference.batches.find((b) => b.batch === 1)!;
  const b4 = (f: (typeof model.formats)[number]) => f.inference.batches.find((b) => b.batch === 4);
  const lines: string[] = [`#### ${model.config}: weight formats (same random weights, same run)`, ''];
  lines.push('| format | bundle | peak memory (RSS) | load | vision b1 | prefill b1 | decode ms/token b1 | tokens/s b1 | tokens/s b4 | caption tokens = fp32 | conversion |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const reference = fp32.inference.captionSequence.slice(1);
  for (const f of model.formats) {
    const tps = b1(f).tokensPerSecond;
    const same = commonPrefixLength(f.inference.captionSequence.slice(1), reference);
    lines.push(
      `| ${f.format} | ${gb(f.bundleBytes)} (${ratio(f.bundleBytes / fp32.bundleBytes)}) | ${gb(f.inference.peakRssBytes)} (${ratio(f.inference.peakRssBytes / fp32.inference.peakRssBytes)}) | ${ms(f.inference.loadMs)} | ${ms(b1(f).visionMs)} (${ratio(b1(f).visionMs / b1(fp32).visionMs)}) | ${ms(b1(f).prefillMs)} | ${b1(f).decodeMsPerToken.toFixed(1)} | ${tps.toFixed(2)} (${ratio(tps / b1(fp32).tokensPerSecond)}) | ${b4(f) ? b4(f)!.tokensPerSecond.toFixed(2) : '—'} | ${same}/${reference.length} | ${(f.convert.ms / 1000).toFixed(1)} s, ${gb(f.convert.peakRssBytes)} |`,
    );
  }
  const int4 = model.formats.find((f) => f.dtype === 'int4');
  if (int4) {
    const size = int4.bundleBytes / fp32.bundleBytes;
    const speed = b1(int4).tokensPerSecond / b1(fp32).tokensPerSecond;
    lines.push('', '| target | measured | met |', '| --- | --- | --- |');
    lines.push(`| int4 bundle ≤ ${FORMAT_TARGETS.int4BundleRatio} × fp32 | ${ratio(size)} | ${verdict(size <= FORMAT_TARGETS.int4BundleRatio)} |`);
    lines.push(`| int4 decode ≥ ${FORMAT_TARGETS.int4DecodeSpeedup} × fp32 tokens/s, batch 1 | ${ratio(speed)} | ${verdict(speed >= FORMAT_TARGETS.int4DecodeSpeedup)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

export function renderReport(results: BenchResults): string {
  const p = results.preprocess;
  const lines: string[] = [];
  lines.push(`Machine: ${results.machine.cpus} cores, ${gb(results.machine.memoryBytes)} memory; copy bandwidth ${results.bandwidth.gbPerSecond.toFixed(1)} GB/s (${results.bandwidth.threads} threads, read + write bytes).`, '');
  lines.push(`### Preprocessing a ${p.megapixels.toFixed(1)} MP JPEG (decode → Pillow-exact bicubic → pixel values)`, '');
  lines.push('| step | glance |', '| --- | --- |');
  lines.push(`| decode (sharp) | ${ms(p.decodeMs)} |`, `| resize (Pillow-exact) | ${ms(p.resizeMs)} |`, `| rescale + normalise | ${ms(p.normalizeMs)} |`, `| total | ${ms(p.totalMs)} |`);
  const pillow = p.pillowMs ?? PILLOW_12MP_MS;
  const source = p.pillowMs === undefined ? `${PILLOW_12MP_MS} ms (reference figure; Pillow not installed here)` : `${ms(p.pillowMs)} (measured in this run${p.pillowBitExact === undefined ? '' : `; our bytes ${p.pillowBitExact ? 'equal' : '**differ from**'} Pillow's`})`;
  lines.push(`| Pillow open + convert + resize | ${source} |`);
  lines.push(`| ratio glance / Pillow | ${ratio(p.totalMs / pillow)} (target < 1×: ${verdict(p.totalMs < pillow)}) |`, '');
  for (const model of results.models) lines.push(modelSection(model, results.bandwidth.gbPerSecond));
  return `${lines.join('\n')}\n`;
}
