/**
 * Shared body of `glance caption` and `glance ask`: read the images, encode them in one vision batch, generate all
 * prompts as one padded batch, print text lines or one JSON object per input.
 */
import { readFile } from 'node:fs/promises';
import { Engine, type ExecutionProvider } from '../engine/engine.ts';
import { cannotRead, readProblem } from './check-inputs.ts';
import { namingImageFile } from './image-file-error.ts';

export interface GenerationInput {
  image: string;
  prompt: string;
}

export interface RunOptions {
  model: string;
  provider: ExecutionProvider;
  threads?: number;
  maxPixels?: number;
  json: boolean;
  generation: Record<string, unknown>;
}

export async function readImage(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw cannotRead(path, readProblem(error));
  }
}

export async function runGeneration(inputs: readonly GenerationInput[], options: RunOptions): Promise<void> {
  const uniqueImages = [...new Set(inputs.map((input) => input.image))];
  const bytes = await Promise.all(uniqueImages.map(readImage));
  const engine = await Engine.open({
    bundleDir: options.model,
    provider: options.provider,
    threads: options.threads,
    maxPixels: options.maxPixels,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  try {
    const embeddings = await engine.encodeImages(bytes).catch((error: unknown) => {
      throw namingImageFile(error, uniqueImages);
    });
    const byImage = new Map(uniqueImages.map((image, i) => [image, embeddings[i]]));
    const outputs = await engine.generate(
      inputs.map((input) => ({ queryEmbeds: byImage.get(input.image)!.queryEmbeds, prompt: input.prompt })),
      options.generation,
    );
    outputs.forEach((output, i) => {
      const embedding = byImage.get(inputs[i].image)!;
      if (!options.json) {
        process.stdout.write(`${output.text}\n`);
        return;
      }
      const line = {
        image: inputs[i].image,
        prompt: inputs[i].prompt,
        text: output.text,
        sequence: output.sequence,
        finishReason: output.finishReason,
        timings: {
          preprocess: round(embedding.timingsMs.preprocess),
          vision: round(embedding.timingsMs.vision),
          prefill: round(output.timingsMs.prefill),
          decode: round(output.timingsMs.decode),
          tokensPerSecond: round(output.tokensPerSecond),
        },
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    });
  } finally {
    await engine.close();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
