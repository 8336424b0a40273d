/**
 * Opens a bundle directory: reads and validates manifest.json, checks every file it names is present, and after the
 * sessions are open checks that each graph's real inputs and outputs are exactly what the manifest records.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GlanceError, ErrorCode } from '../errors.ts';
import { MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, manifestSchema, type BundleManifest, type GraphSpec, type ManifestModel } from './manifest.ts';
import { REQUIRED_GRAPHS } from './tensor-names.ts';

export interface Bundle {
  dir: string;
  manifest: BundleManifest;
  path(file: string): string;
}

function invalid(dir: string, message: string): GlanceError {
  return new GlanceError(ErrorCode.BundleInvalid, `${dir} is not a usable glance bundle: ${message}. Re-create it with \`glance convert <checkpoint> --out <bundle>\`.`, { dir });
}

export async function loadBundle(bundleDir: string): Promise<Bundle> {
  const dir = resolve(bundleDir);
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw invalid(dir, `${MANIFEST_FILE} is missing`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(dir, `${MANIFEST_FILE} is not JSON (${(error as Error).message})`);
  }
  const version = (json as { format?: unknown; version?: unknown } | null)?.version;
  if ((json as { format?: unknown } | null)?.format === MANIFEST_FORMAT && typeof version === 'number' && version !== MANIFEST_VERSION) {
    throw invalid(dir, `it is a version ${version} bundle, made by ${version < MANIFEST_VERSION ? 'an older' : 'a newer'} glance; this glance reads version ${MANIFEST_VERSION}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(dir, `${MANIFEST_FILE} field ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const manifest = parsed.data;
  const files = [manifest.tokenizer.file, ...Object.values(manifest.graphs).map((g) => g.file)];
  if (manifest.tokenizer.configFile) files.push(manifest.tokenizer.configFile);
  for (const file of files) {
    if (!(await stat(join(dir, file)).catch(() => undefined))?.isFile()) throw invalid(dir, `${file} is missing`);
  }
  const weights = await stat(join(dir, manifest.weights.file)).catch(() => undefined);
  if (!weights?.isFile()) throw invalid(dir, `${manifest.weights.file} is missing`);
  if (weights.size !== manifest.weights.fileBytes) throw invalid(dir, `${manifest.weights.file} is ${weights.size < manifest.weights.fileBytes ? 'truncated' : 'larger than recorded'} (${weights.size} bytes, the manifest says ${manifest.weights.fileBytes})`);
  for (const key of REQUIRED_GRAPHS[manifest.model.architecture]) {
    if (!manifest.graphs[key]) throw invalid(dir, `a ${manifest.model.architecture} bundle needs graph "${key}" but the manifest has none`);
  }
  checkModelFacts(dir, manifest.model);
  return { dir, manifest, path: (file) => join(dir, file) };
}

/** Consistency checks of the recorded model facts, per family. */
function checkModelFacts(dir: string, m: ManifestModel): void {
  switch (m.architecture) {
    case 'blip2-opt':
      if (m.headDim * m.numHeads !== m.languageHiddenSize) throw invalid(dir, 'model.headDim × numHeads ≠ languageHiddenSize');
      return;
    case 'blip2-t5':
      for (const [name, id] of [['decoderStartTokenId', m.decoderStartTokenId], ['padTokenId', m.padTokenId], ...m.eosTokenIds.map((e) => ['eosTokenIds', e] as const)] as const) {
        if (id >= m.vocabSize) throw invalid(dir, `model.${name} ${id} is outside the vocabulary (${m.vocabSize})`);
      }
      return;
    case 'blip2-itm':
      if (m.padTokenId >= m.vocabSize) throw invalid(dir, 'model.padTokenId is not below vocabSize');
      return;
  }
}

/** The spec of a graph the family requires (loadBundle has checked it exists). */
export function requiredGraph(bundle: Bundle, key: string): GraphSpec {
  const spec = bundle.manifest.graphs[key];
  if (!spec) throw invalid(bundle.dir, `the manifest has no graph "${key}"`);
  return spec;
}

/** Throws unless the session's input and output names are exactly the manifest's. */
export function checkGraphNames(bundle: Bundle, graph: string, spec: GraphSpec, inputNames: readonly string[], outputNames: readonly string[]): void {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
  if (!same(inputNames, spec.inputs.map((t) => t.name)) || !same(outputNames, spec.outputs.map((t) => t.name))) {
    throw invalid(bundle.dir, `graph ${graph} (${spec.file}) has inputs [${inputNames.join(', ')}] and outputs [${outputNames.join(', ')}], which do not match the manifest`);
  }
}
