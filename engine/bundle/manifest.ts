/**
 * The bundle manifest: what the converter wrote and what the engine checks at load. Every graph's inputs and
 * outputs (names, dtypes, symbolic dims) are recorded here; tensor names appear nowhere else in the engine.
 */
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'glance-blip2-bundle';
export const MANIFEST_VERSION = 1;

const dim = z.union([z.number().int().nonnegative(), z.string().min(1)]);
const tensorSpec = z.object({ name: z.string().min(1), dtype: z.enum(['float32', 'int64', 'int32', 'bool']), dims: z.array(dim) });
const graphSpec = z.object({ file: z.string().min(1), inputs: z.array(tensorSpec), outputs: z.array(tensorSpec) });

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  createdBy: z.string(),
  dtype: z.literal('float32'),
  model: z.object({
    architecture: z.literal('blip2-opt'),
    numQueryTokens: z.number().int().positive(),
    imageSize: z.number().int().positive(),
    visionHiddenSize: z.number().int().positive(),
    qformerHiddenSize: z.number().int().positive(),
    languageHiddenSize: z.number().int().positive(),
    numLayers: z.number().int().positive(),
    numHeads: z.number().int().positive(),
    headDim: z.number().int().positive(),
    vocabSize: z.number().int().positive(),
    maxPositions: z.number().int().positive(),
    bosTokenId: z.number().int().nonnegative(),
    eosTokenIds: z.array(z.number().int().nonnegative()).min(1),
    padTokenId: z.number().int().nonnegative(),
    imageTokenIndex: z.number().int().nonnegative().nullable(),
  }),
  preprocessor: z.record(z.string(), z.unknown()),
  tokenizer: z.object({ file: z.string(), configFile: z.string().nullable() }),
  /** tensorBytes: the float32 weights themselves; fileBytes: the size of the file (tensors are 64 KiB-aligned). */
  weights: z.object({ file: z.string(), tensorBytes: z.number().int().nonnegative(), fileBytes: z.number().int().nonnegative() }),
  graphs: z.object({ vision: graphSpec, embed: graphSpec, decoder: graphSpec }),
});

export type BundleManifest = z.infer<typeof manifestSchema>;
export type GraphSpec = z.infer<typeof graphSpec>;
export type GraphName = keyof BundleManifest['graphs'];
