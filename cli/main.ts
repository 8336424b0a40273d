/**
 * The `glance` command line: convert checkpoints, caption images, answer questions, run the benchmarks.
 * Errors print their code and message (never a stack trace) and exit non-zero.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { GlanceError } from '../engine/errors.ts';
import type { ProgressBar } from './progress-bar.ts';
import { buildPrompt } from '../src/service/prompt.ts';
import { addGenerationFlags, generationOptionsFrom, namingFlags } from './generation-flags.ts';
import type { GenerationInput } from './run-generation.ts';
import type { StartFlags } from './start-command.ts';
import type { DemoKind } from '../src/models/demo-model.ts';
import { packageVersion } from './package-version.ts';

// Only flag definitions and help texts are imported above: `glance --version` and `glance <command> --help` must
// answer without loading the engine, the converter or the chat platforms' libraries. Each action imports what it runs.

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return parsed;
}

const DEMO_HELP: Record<DemoKind, string> = {
  caption: 'run the tiny demo model (random weights: exact but meaningless text), made by glance itself, instead of --model / GLANCE_MODEL',
  retrieval: 'run the tiny retrieval demo model (random weights: exact but meaningless scores), made by glance itself, instead of --model / GLANCE_MODEL',
};

function modelOptions(command: Command, demo: DemoKind): Command {
  return command
    .option('--model <model>', 'bundle folder written by `glance convert`, Hugging Face checkpoint folder, or Hub id such as Salesforce/blip2-opt-2.7b (converted once into the data directory; default: GLANCE_MODEL)')
    .option('--demo', DEMO_HELP[demo])
    .option('--data-dir <dir>', 'where downloaded and converted models are kept (default: GLANCE_DATA_DIR or ./data)')
    .addOption(new Option('--provider <ep>', 'execution provider (default: GLANCE_PROVIDER or cpu)').choices(['cpu', 'cuda', 'auto']))
    .option('--threads <n>', 'onnxruntime intra-op threads (default: GLANCE_THREADS or all cores)', positiveInt)
    .option('--max-pixels <n>', 'refuse images above this many pixels (default: GLANCE_MAX_PIXELS or 40000000)', positiveInt)
    .option('--json', 'print one JSON object per input');
}

type ModelFlags = { model?: string; demo?: boolean; dataDir?: string; provider?: 'cpu' | 'cuda' | 'auto'; threads?: number; maxPixels?: number; json?: boolean } & Record<string, unknown>;

/**
 * The engine options of the flags (else GLANCE_* as `glance start` reads them), with the model made ready as a bundle
 * folder — after the image files are found readable, so a wrong path fails before a download or a conversion.
 * `demo` is the demo model --demo runs.
 */
async function engineOptions(flags: ModelFlags, images: readonly string[], demo: DemoKind) {
  const { checkModelFlags, resolveCliModel } = await import('./cli-model.ts');
  checkModelFlags(flags);
  const { checkImageFiles } = await import('./check-inputs.ts');
  await checkImageFiles(images);
  return { ...(await resolveCliModel(flags, demo)), json: flags.json === true };
}

/** engineOptions plus the generation options, whose own checks (e.g. --temperature without --do-sample) come first. */
async function runOptions(flags: ModelFlags, images: readonly string[]) {
  const generation = generationOptionsFrom(flags);
  const { checkGenerationOptions } = await import('./check-inputs.ts');
  checkGenerationOptions(generation);
  return { ...(await engineOptions(flags, images, 'caption')), generation };
}

export function buildProgram(): Command {
  // exitOverride before any subcommand is added (they inherit it): commander's own usage errors (unknown flag or
  // command, missing argument, bad flag value) throw instead of exiting 1, so main() gives them exit code 2 like ours.
  const program = new Command('glance').description('Describe images and answer questions about them with BLIP-2.').version(packageVersion(), '-V, --version', 'print the version').showHelpAfterError().exitOverride();

  program
    .command('convert')
    .description('convert a Hugging Face BLIP-2 checkpoint (safetensors) into an ONNX bundle')
    .argument('<checkpoint-dir>', 'folder with config.json, model.safetensors (or shards), tokenizer.json, preprocessor_config.json')
    .requiredOption('--out <bundle-dir>', 'where to write the bundle (must not exist or be empty)')
    .option('--dtype <dtype>', 'weight format of the bundle: fp32, fp16, bf16, int8, int4 (int8/int4: MatMulNBits for the Linears outside the Q-Former)', 'fp32')
    .option('--block-size <n>', 'int8/int4 only: quantization block size along K, a power of two ≥ 16 (default 32)')
    .option('--accuracy-level <n>', 'int8/int4 only: MatMulNBits accuracy_level 0-4, 4 = int8 activations (default 4)')
    .option('--no-progress', 'no progress bar')
    .action(async (checkpointDir: string, flags: { out: string; dtype: string; blockSize?: string; accuracyLevel?: string; progress: boolean }) => {
      const { runConvert } = await import('./convert-command.ts');
      await runConvert(checkpointDir, flags);
    });

  addGenerationFlags(modelOptions(program.command('caption'), 'caption'))
    .description('caption one or more images (several images run as one batch)')
    .argument('<image...>', 'image files')
    .option('--prompt <text>', 'text the caption continues, e.g. "a photo of"', '')
    .action((images: string[], flags: ModelFlags & { prompt: string }) => namingFlags(async () => {
      const { runGeneration } = await import('./run-generation.ts');
      return runGeneration(images.map((image) => ({ image, prompt: flags.prompt })), await runOptions(flags, images));
    }));

  addGenerationFlags(modelOptions(program.command('ask'), 'caption'))
    .description('answer questions about images: glance ask <image> <question> [<image> <question>]...')
    .argument('<image-and-question...>', 'pairs of image file and question')
    .option('--raw-prompt', 'use each text as the exact prompt (empty text = caption) instead of "Question: … Answer:"')
    .action((pairs: string[], flags: ModelFlags & { rawPrompt?: boolean }) => namingFlags(async () => {
      if (pairs.length % 2 !== 0) throw new InvalidArgumentError('give pairs of <image> <question>.');
      const inputs: GenerationInput[] = [];
      for (let i = 0; i < pairs.length; i += 2) {
        const question = pairs[i + 1];
        if (!flags.rawPrompt && question.trim() === '') {
          throw new InvalidArgumentError(`the question for ${pairs[i]} is empty: ask needs a question (glance caption captions; --raw-prompt '' sends an empty prompt).`);
        }
        // The same prompt the service builds (src/service/prompt.ts).
        inputs.push({ image: pairs[i], prompt: buildPrompt(question, flags.rawPrompt === true) });
      }
      const { runGeneration } = await import('./run-generation.ts');
      return runGeneration(inputs, await runOptions(flags, inputs.map((input) => input.image)));
    }));

  modelOptions(program.command('match'), 'retrieval')
    .description('image-text matching with a retrieval bundle (Blip2ForImageTextRetrieval): per text, the ITM match probability and the ITC similarity')
    .argument('<image>', 'image file')
    .argument('<text...>', 'texts to match against the image')
    .action(async (image: string, texts: string[], flags: ModelFlags) => {
      const { runMatch } = await import('./match-command.ts');
      await runMatch(image, texts, await engineOptions(flags, [image], 'retrieval'));
    });

  modelOptions(program.command('embed'), 'retrieval')
    .description('ITC embeddings of images and texts with a retrieval bundle, as JSON lines (images first, then texts)')
    .argument('[image...]', 'image files')
    .option('--text <text>', 'a text to embed (repeat the flag for several)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .action(async (images: string[], flags: ModelFlags & { text: string[] }) => {
      const { checkEmbedInputs, runEmbed } = await import('./embed-command.ts');
      checkEmbedInputs(images, flags.text);
      return runEmbed(images, flags.text, { ...(await engineOptions(flags, images, 'retrieval')), json: true });
    });

  program
    .command('start')
    .description('run glance: with no Discord/Slack tokens, the local web playground and HTTP API (settings: GLANCE_* variables, .env)')
    .option('--model <model>', 'bundle folder, Hugging Face checkpoint folder, or Hub id such as Salesforce/blip2-opt-2.7b (default: GLANCE_MODEL)')
    .option('--demo', 'run the tiny demo model (random weights: exact but meaningless text), made by glance itself, instead of a real one')
    .option('--host <address>', 'address to listen on (default: GLANCE_HTTP_HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 = any free port (default: GLANCE_HTTP_PORT or 3000)')
    .option('--data-dir <dir>', 'where models and settings are kept (default: GLANCE_DATA_DIR or ./data)')
    .action(async (flags: StartFlags) => {
      const { runStart } = await import('./start-command.ts');
      await runStart(flags);
    });

  const discord = program.command('discord').description('Discord bot set-up (the bot itself runs in `glance start` with DISCORD_TOKEN)');
  discord
    .command('register')
    .description('register the slash and context-menu commands with Discord (DISCORD_TOKEN; DISCORD_APPLICATION_ID or asked from Discord)')
    .option('--guild <id>', 'register in one server only (appears at once; global commands can take up to an hour)')
    .action(async (flags: { guild?: string }) => {
      const { runDiscordRegister } = await import('./discord-register-command.ts');
      await runDiscordRegister(flags);
    });

  program
    .command('bench')
    .description('benchmark conversion and inference on random weights of the real-size configs (see docs/benchmarks.md)')
    .option('--config <name...>', 'configs from ../shared/fixtures/configs', ['blip2-opt-2.7b-depth8'])
    .option('--full', 'also benchmark the full blip2-opt-2.7b (15 GB of weights; needs ~20 GB of memory and ~35 GB of disk)')
    .option('--work <dir>', 'where synthesized checkpoints and bundles are kept', '.bench')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', positiveInt)
    .option('--startup', 'measure the CLI start-up instead: --version, caption --help, a tiny-model caption, compiled and through tsx')
    .option('--runs <n>', '--startup only: counted runs of each case', positiveInt, 10)
    .action(async (flags: { config: string[]; full?: boolean; work: string; threads?: number; startup?: boolean; runs: number }) => {
      if (flags.startup) {
        const { runStartupBench, renderStartupReport } = await import('../bench/startup-bench.ts');
        process.stdout.write(renderStartupReport(await runStartupBench({ runs: flags.runs, work: flags.work })));
        return;
      }
      const { runBench } = await import('../bench/run-bench.ts');
      const { createProgressBar } = await import('./progress-bar.ts');
      const bars = new Map<string, ProgressBar>();
      try {
        await runBench({
          configs: flags.full ? [...flags.config, 'blip2-opt-2.7b'] : flags.config,
          work: flags.work,
          threads: flags.threads,
          onSynthesizeProgress: (config, done, total) => {
            if (!bars.has(config)) bars.set(config, createProgressBar(`synthesizing ${config}`, { divisor: 1e6, label: 'M parameters' }));
            bars.get(config)!.report(done, total);
            if (done >= total) bars.get(config)!.stop();
          },
        });
      } finally {
        for (const bar of bars.values()) bar.stop();
      }
    });

  program
    .command('gpu-check')
    .description('on an NVIDIA GPU host with the CUDA provider installed: run the parity suites, the fp32/fp16 formats report and the benchmark on CUDA and print the tables')
    .option('--work <dir>', 'where synthesized checkpoints and bundles are kept', '.bench')
    .option('--skip-bench', 'parity suites and formats report only')
    .action(async (flags: { work: string; skipBench?: boolean }) => {
      const { runGpuCheck } = await import('../bench/gpu-check.ts');
      process.exitCode = await runGpuCheck({ work: flags.work, skipBench: flags.skipBench });
    });

  program
    .command('bench-phase', { hidden: true })
    .argument('<phase>')
    .argument('[args...]')
    .action(async (phase: string, args: string[]) => {
      const { runPhase } = await import('../bench/phases.ts');
      await runPhase(phase, args);
    });

  program
    .command('bench-service', { hidden: true })
    .description('benchmark the service on random weights of blip2-opt-2.7b-depth8: follow-up latency, batching throughput, event-loop delay, cache memory')
    .option('--work <dir>', 'where `glance bench` keeps the synthesized checkpoint (the int4 bundle is converted there once)', '.bench')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', positiveInt)
    .addOption(new Option('--dtype <format>', 'weight format of the bundle').choices(['int4', 'fp32']).default('int4'))
    .addOption(new Option('--provider <provider>', 'onnxruntime execution provider').choices(['cpu', 'cuda']).default('cpu'))
    .action(async (flags: { work: string; threads?: number; dtype: 'int4' | 'fp32'; provider: 'cpu' | 'cuda' }) => {
      const { runServiceBench, renderServiceReport } = await import('../bench/service-bench.ts');
      process.stdout.write(renderServiceReport(await runServiceBench(flags)));
    });

  program
    .command('bench-discord', { hidden: true })
    .description('the Discord adapter against the local fake Discord with the tiny or the depth8 model: MESSAGE_CREATE → reply POST, model time subtracted')
    .option('--messages <n>', 'messages measured (after 5 warm-up ones; 100 by default so the p95 is not just the second-worst of a few)', positiveInt, 100)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', positiveInt)
    .addOption(new Option('--model <model>', 'tiny fixture model, or random weights of blip2-opt-2.7b-depth8 (int4, from .bench/)').choices(['tiny', 'depth8']).default('tiny'))
    .option('--gap-ms <ms>', 'pause before each message (default: back to back)', positiveInt)
    .action(async (flags: { messages: number; threads?: number; model: 'tiny' | 'depth8'; gapMs?: number }) => {
      const { runDiscordBench, renderDiscordReport } = await import('../bench/discord-bench.ts');
      process.stdout.write(renderDiscordReport(await runDiscordBench(flags)));
    });

  program
    .command('bench-slack', { hidden: true })
    .description('the Slack adapter against the local fake Slack with the tiny model: event → chat.postMessage, model time subtracted')
    .option('--mentions <n>', 'mentions measured (after the warm-up ones; 100 by default so the p95 is not just the second-worst of a few)', positiveInt, 100)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', positiveInt)
    .addOption(new Option('--mode <mode>', 'how events arrive').choices(['http', 'socket', 'both']).default('both'))
    .addOption(new Option('--model <model>', 'tiny fixture model, or random weights of blip2-opt-2.7b-depth8 (int4, from .bench/)').choices(['tiny', 'depth8']).default('tiny'))
    .action(async (flags: { mentions: number; threads?: number; mode: 'http' | 'socket' | 'both'; model: 'tiny' | 'depth8' }) => {
      const { runSlackBench, renderSlackReport } = await import('../bench/slack-bench.ts');
      for (const mode of flags.mode === 'both' ? (['http', 'socket'] as const) : [flags.mode]) {
        process.stdout.write(`${renderSlackReport(await runSlackBench({ mode, model: flags.model, mentions: flags.mentions, threads: flags.threads }))}\n`);
      }
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof GlanceError) {
      process.stderr.write(`glance: error [${error.code}]: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (error instanceof InvalidArgumentError) {
      process.stderr.write(`glance: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof CommanderError) {
      // Commander has printed the message (and the usage); --help and help are exit code 0, the rest usage errors.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    throw error;
  }
}
