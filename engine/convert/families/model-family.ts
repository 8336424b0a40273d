/**
 * The converter's view of a model family: which graphs a resolved config becomes (each with the file stem it is
 * written under) and the model facts recorded in the manifest. One file per family; this one only dispatches.
 */
import type { Blip2Config } from '../blip2-config.ts';
import type { ManifestModel } from '../../bundle/manifest.ts';
import type { GraphBuilder } from '../onnx/graph-builder.ts';
import { buildOptFamily } from './opt-family.ts';
import { buildT5Family } from './t5-family.ts';
import { buildRetrievalFamily } from './retrieval-family.ts';

export interface FamilyGraph {
  /** The key under manifest.graphs (e.g. 'vision', 'decoder'). */
  key: string;
  /** File name without format suffix or extension (e.g. 'decoder_with_past'). */
  stem: string;
  builder: GraphBuilder;
}

export interface FamilyBuild {
  graphs: FamilyGraph[];
  model: ManifestModel;
}

/** The graphs of a family are format-free; the converter applies the weight format to them afterwards. */
export function buildFamily(config: Blip2Config): FamilyBuild {
  switch (config.family) {
    case 'blip2-opt':
      return buildOptFamily(config);
    case 'blip2-t5':
      return buildT5Family(config);
    case 'blip2-itm':
      return buildRetrievalFamily(config);
  }
}
