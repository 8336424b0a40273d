/**
 * What the playground says about the model it serves: the model id, its kind (the bundle's family and weight format),
 * and for a model with random weights (`glance start --demo`) a notice that its text is meaningless and how to serve
 * a real model. Written into the page as HTML (the id escaped: it comes from the configuration or a Hub id).
 */
import type { BundleManifest } from '../../engine/bundle/manifest.ts';

export interface PlaygroundModel {
  id: string;
  manifest: Pick<BundleManifest, 'dtype' | 'model'>;
  /** The weights are random (the demo model): its captions and answers carry no meaning. */
  randomWeights: boolean;
}

/** The command the notice gives for a real model. */
export const REAL_MODEL_COMMAND = 'GLANCE_MODEL=Salesforce/blip2-opt-2.7b npm start';

const FAMILIES: Record<BundleManifest['model']['architecture'], string> = {
  'blip2-opt': 'BLIP-2 with an OPT language model',
  'blip2-t5': 'BLIP-2 with a Flan-T5 language model',
  'blip2-itm': 'BLIP-2 image–text retrieval (ITM)',
};

/** The model's kind in words, e.g. "BLIP-2 with an OPT language model, fp32 weights". */
export function modelKind(manifest: PlaygroundModel['manifest']): string {
  return `${FAMILIES[manifest.model.architecture]}, ${manifest.dtype} weights`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => ESCAPES[character]);

/** The page's model line and, for random weights, the notice under it. */
export function modelBannerHtml(model: PlaygroundModel): string {
  const line = `<p id="model-info">Serving <code id="model-id">${escapeHtml(model.id)}</code>: <span id="model-kind">${escapeHtml(modelKind(model.manifest))}</span>.</p>`;
  if (!model.randomWeights) return line;
  return `${line}
    <div id="random-weights-notice" class="notice" role="note" aria-labelledby="random-weights-heading">
      <p id="random-weights-heading"><strong>This model has random weights: its captions and answers are meaningless text.</strong></p>
      <p>It shows how glance works, exactly as a real model runs, but not what BLIP-2 can say. To serve a real model: <code>${escapeHtml(REAL_MODEL_COMMAND)}</code> (downloaded and converted once, about 15 GB).</p>
    </div>`;
}
