/**
 * `glance match <image> <text>... --model <retrieval bundle> [--json]`: one image against several texts with a
 * Blip2ForImageTextRetrieval bundle. Per text, in order: the ITM match probability (softmax of the ITM head, index 1)
 * and the ITC similarity (max over the 32 query embeddings of the cosine with the text embedding, in [-1, 1]).
 * Human output: `match <probability>  similarity <similarity>  "<text>"` (the text JSON-quoted, so an empty one shows).
 */
import { Engine, type ExecutionProvider } from '../engine/engine.ts';
import { readImage } from './run-generation.ts';
import { namingImageFile } from './image-file-error.ts';

export interface RetrievalCommandOptions {
  model: string;
  provider: ExecutionProvider;
  threads?: number;
  maxPixels?: number;
  json: boolean;
}

export function openRetrievalEngine(options: RetrievalCommandOptions): Promise<Engine> {
  return Engine.open({
    bundleDir: options.model,
    provider: options.provider,
    threads: options.threads,
    maxPixels: options.maxPixels,
    log: (message) => process.stderr.write(`${message}\n`),
  });
}

export async function runMatch(image: string, texts: readonly string[], options: RetrievalCommandOptions): Promise<void> {
  const bytes = await readImage(image);
  const engine = await openRetrievalEngine(options);
  try {
    const results = await engine.match(bytes, texts).catch((error: unknown) => {
      throw namingImageFile(error, [image]);
    });
    for (const result of results) {
      if (options.json) {
        const line = {
          image,
          text: result.text,
          matchProbability: result.matchProbability,
          similarity: result.similarity,
          itmLogits: result.itmLogits,
          bestQuery: result.bestQuery,
          tokens: result.tokens,
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      } else {
        process.stdout.write(`match ${result.matchProbability.toFixed(4)}  similarity ${result.similarity.toFixed(4)}  ${JSON.stringify(result.text)}\n`);
      }
    }
  } finally {
    await engine.close();
  }
}
