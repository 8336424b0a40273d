/**
 * `npm run gpu-check`: on a host with an NVIDIA GPU and onnxruntime-node's CUDA provider
 * (ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci), with every session on CUDA:
 *   1. the parity suites (test/engine/parity, vitest, GLANCE_TEST_PROVIDER=cuda);
 *   2. the formats report in fp32 and fp16 (tokens reproduced, first-step deviation against the fp32 goldens);
 *   3. the benchmark of blip2-opt-2.7b-depth8 in fp32 and fp16 (random weights, as `npm run bench`);
 *   4. the service benchmark on the same model in fp32 (`glance bench-service`: follow-up ÷ first question,
 *      8 concurrent ÷ 8 sequential captions, event-loop delay, cache budgets), whose targets a CPU host cannot reach.
 * It prints one markdown report. On any other host it stops at the first step and says what is missing.
 *
 * The parity suites keep their CPU tolerances (about 1e-4 on logits). onnxruntime's CUDA kernels sum in another
 * order (and may use TF32 on Ampere and later), so a failure here is reported with the deviation vitest printed,
 * for a person to judge; it is not hidden.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWeightFormat } from '../engine/convert/weight-format.ts';
import { missingCudaLibraries } from '../engine/runtime/onnx-runtime.ts';
import { renderFormatsReport, runFormatsReport } from './formats-report.ts';
import { runBench } from './run-bench.ts';
import { renderServiceReport, runServiceBench } from './service-bench.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface GpuInfo {
  name: string;
  memory: string;
  driver: string;
}

export interface SuiteResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  failures: string[];
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The GPU as nvidia-smi reports it, or an error saying what is missing. */
export async function detectGpu(): Promise<GpuInfo> {
  const smi = await run('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader']).catch(() => undefined);
  if (!smi || smi.code !== 0 || smi.stdout.trim() === '') {
    throw new Error('no NVIDIA GPU found: `nvidia-smi` is missing or lists no GPU. gpu-check needs an NVIDIA GPU with its driver installed.');
  }
  const [name, memory, driver] = smi.stdout.trim().split('\n')[0].split(',').map((s) => s.trim());
  const missing = missingCudaLibraries();
  if (missing.length > 0) {
    throw new Error(`onnxruntime-node's CUDA provider is not installed (${missing.join(', ')} missing beside its native binding). Reinstall with \`ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci\` (it downloads the CUDA 12 build) and make sure CUDA 12 and cuDNN 9 libraries are on the library path.`);
  }
  return { name, memory, driver };
}

interface VitestJson {
  testResults: { name: string; assertionResults: { fullName: string; status: string; failureMessages?: string[] }[]; startTime: number; endTime: number }[];
}

/** Runs each parity suite under vitest with GLANCE_TEST_PROVIDER=cuda. */
export async function runParitySuites(onSuite?: (file: string) => void): Promise<SuiteResult[]> {
  const dir = join(ROOT, 'test/engine/parity');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.test.ts')).sort();
  const work = await mkdtemp(join(tmpdir(), 'glance-gpu-check-'));
  const results: SuiteResult[] = [];
  try {
    for (const file of files) {
      onSuite?.(file);
      const output = join(work, `${file}.json`);
      const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
      await run(process.execPath, [vitest, 'run', join('test/engine/parity', file), '--reporter=json', `--outputFile=${output}`], { ...process.env, GLANCE_TEST_PROVIDER: 'cuda' });
      if (!existsSync(output)) {
        results.push({ file, passed: 0, failed: 1, skipped: 0, seconds: 0, failures: ['vitest wrote no report (the suite crashed before running)'] });
        continue;
      }
      const report = JSON.parse(await readFile(output, 'utf8')) as VitestJson;
      const assertions = report.testResults.flatMap((r) => r.assertionResults);
      const seconds = report.testResults.reduce((sum, r) => sum + (r.endTime - r.startTime) / 1000, 0);
      results.push({
        file,
        passed: assertions.filter((a) => a.status === 'passed').length,
        failed: assertions.filter((a) => a.status === 'failed').length,
        skipped: assertions.filter((a) => a.status !== 'passed' && a.status !== 'failed').length,
        seconds,
        failures: assertions.filter((a) => a.status === 'failed').map((a) => `${a.fullName}: ${(a.failureMessages?.[0] ?? '').split('\n')[0]}`),
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return results;
}

export function renderSuites(gpu: GpuInfo, suites: readonly SuiteResult[]): string {
  const lines = [`## gpu-check on ${gpu.name} (${gpu.memory}, driver ${gpu.driver})`, '', '### Parity suites, every session on CUDA', '', '| suite | passed | failed | skipped | time |', '| --- | --- | --- | --- | --- |'];
  for (const s of suites) lines.push(`| ${s.file} | ${s.passed} | ${s.failed} | ${s.skipped} | ${s.seconds.toFixed(1)} s |`);
  const failures = suites.flatMap((s) => s.failures.map((f) => `- ${s.file}: ${f}`));
  if (failures.length > 0) lines.push('', 'Failures (CPU tolerances; see the deviation in each message):', '', ...failures);
  return `${lines.join('\n')}\n`;
}

export interface GpuCheckOptions {
  /** Where synthesized checkpoints and bundles are kept (as `npm run bench --work`). */
  work: string;
  /** Skip the benchmark (parity and formats only). */
  skipBench?: boolean;
}

export async function runGpuCheck(options: GpuCheckOptions): Promise<number> {
  let gpu: GpuInfo;
  try {
    gpu = await detectGpu();
  } catch (error) {
    process.stderr.write(`gpu-check: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`gpu-check: ${gpu.name}; running the parity suites on CUDA…\n`);
  const suites = await runParitySuites((file) => process.stderr.write(`  ${file}\n`));
  process.stdout.write(renderSuites(gpu, suites));

  process.stderr.write('gpu-check: formats report (fp32, fp16) on CUDA…\n');
  const formats = [parseWeightFormat({ dtype: 'fp32' }), parseWeightFormat({ dtype: 'fp16' })];
  const rows = await runFormatsReport({ work: join(options.work, 'gpu-formats'), formats, provider: 'cuda', onStep: (label) => process.stderr.write(`  ${label}\n`) });
  process.stdout.write(`\n### Formats on CUDA against the fp32 goldens\n\n${renderFormatsReport(rows)}`);

  if (!options.skipBench) {
    process.stderr.write('gpu-check: benchmark of blip2-opt-2.7b-depth8 (fp32, fp16) on CUDA…\n');
    process.stdout.write('\n### Benchmark on CUDA\n\n');
    await runBench({ configs: ['blip2-opt-2.7b-depth8'], work: options.work, provider: 'cuda', formats: () => formats });
    process.stderr.write('gpu-check: service benchmark (fp32) on CUDA…\n');
    process.stdout.write(`\n${renderServiceReport(await runServiceBench({ work: options.work, dtype: 'fp32', provider: 'cuda' }))}`);
  }
  return suites.some((s) => s.failed > 0) ? 1 : 0;
}
