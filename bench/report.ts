/** Renders benchmark results as the markdown tables of docs/benchmarks.md, with ratios and pass/fail per target. */
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

  lines.push(`| inference (CPU, ${inf.threads || 'all'} threads) | glance | transformers | ratio | target ≤ 0.5× |`, '| --- | --- | --- | --- | --- |');
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
  lines.push(`| prefill (32 queries + BOS) | ${ms(b1.prefillMs)} | ${b4 ? ms(b4.prefillMs) : '—'} |`);
  lines.push(`| decode ms/token | ${b1.decodeMsPerToken.toFixed(1)} | ${b4 ? b4.decodeMsPerToken.toFixed(1) : '—'} |`);
  lines.push(`| tokens/s | ${b1.tokensPerSecond.toFixed(2)} | ${b4 ? b4.tokensPerSecond.toFixed(2) : '—'} |`, '');

  const boundMs = (inf.decodeStepWeightBytes / (bandwidthGBs * 1e9)) * 1000;
  const fraction = boundMs / b1.decodeMsPerToken;
  const memoryRatio = inf.peakRssBytes / inf.weightBytes;
  lines.push('| bounds | value | target |', '| --- | --- | --- |');
  lines.push(`| weight bytes read per decode step | ${gb(inf.decodeStepWeightBytes)} | |`);
  lines.push(`| bandwidth bound per token (bytes ÷ ${bandwidthGBs.toFixed(1)} GB/s) | ${boundMs.toFixed(1)} ms | |`);
  lines.push(`| fraction of the bound reached at batch 1 | ${(fraction * 100).toFixed(0)} % | ≥ 60 %: ${verdict(fraction >= 0.6)} |`);
  lines.push(`| peak memory at inference (RSS) | ${gb(inf.peakRssBytes)} = ${ratio(memoryRatio)} the weights${hf ? `; transformers ${gb(hf.peakBytes)}` : ''} | ≤ 1.3×: ${verdict(memoryRatio <= 1.3)} |`);
  lines.push(`| bundle load (sessions created) | ${ms(inf.loadMs)} | |`, '');
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
