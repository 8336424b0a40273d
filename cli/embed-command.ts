/**
 * `glance embed <image>... [--text TEXT]... --model <retrieval bundle> [--json]`: ITC embeddings for a search index,
 * always printed as JSON lines (images first, then texts, each in the order given):
 *
 *   {"kind":"image","source":"photo.jpg","queries":32,"dim":256,"embeddings":[[…256 numbers…] × 32]}
 *   {"kind":"text","source":"a cat","dim":256,"tokens":4,"embedding":[…256 numbers…]}
 *
 * An image's embeddings are its 32 query embeddings (vision_projection of the Q-Former outputs), each L2-normalised;
 * a text's embedding is text_projection of the Q-Former's [CLS] output, L2-normalised. The similarity `glance match`
 * reports is the largest dot product between the text's embedding and the image's 32.
 */
import { GlanceError, ErrorCode } from '../engine/errors.ts';
import { openRetrievalEngine, type RetrievalCommandOptions } from './match-command.ts';
import { readImage } from './run-generation.ts';
import { namingImageFile } from './image-file-error.ts';

/** Something to embed: image files and/or texts (checked before the model is made ready, and again here). */
export function checkEmbedInputs(images: readonly string[], texts: readonly string[]): void {
  if (images.length === 0 && texts.length === 0) {
    throw new GlanceError(ErrorCode.InvalidInput, 'nothing to embed: give image files and/or --text TEXT.');
  }
}

export async function runEmbed(images: readonly string[], texts: readonly string[], options: RetrievalCommandOptions): Promise<void> {
  checkEmbedInputs(images, texts);
  const bytes = await Promise.all(images.map(readImage));
  const engine = await openRetrievalEngine(options);
  try {
    const imageEmbeddings = images.length > 0 ? await engine.embedImages(bytes).catch((error: unknown) => {
      throw namingImageFile(error, images);
    }) : [];
    const textEmbeddings = texts.length > 0 ? await engine.embedTexts(texts) : [];
    imageEmbeddings.forEach((image, i) => {
      const dim = image.imageEmbeds.length / engine.manifest.model.numQueryTokens;
      const embeddings = Array.from({ length: engine.manifest.model.numQueryTokens }, (_, q) => Array.from(image.imageEmbeds.subarray(q * dim, (q + 1) * dim)));
      process.stdout.write(`${JSON.stringify({ kind: 'image', source: images[i], queries: embeddings.length, dim, embeddings })}\n`);
    });
    for (const text of textEmbeddings) {
      process.stdout.write(`${JSON.stringify({ kind: 'text', source: text.text, dim: text.embedding.length, tokens: text.tokens, embedding: Array.from(text.embedding) })}\n`);
    }
  } finally {
    await engine.close();
  }
}
