/**
 * What a `--model` / GLANCE_MODEL value names: a converted bundle folder (has manifest.json), a Hugging Face
 * checkpoint folder (has config.json), or a Hub id `owner/name[@revision]`. An existing path always wins over the Hub
 * reading, so `./models/foo` is never sent to the Hub.
 */
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import { MANIFEST_FILE } from '../../engine/bundle/manifest.ts';

export type ModelSpec =
  | { kind: 'bundle'; dir: string }
  | { kind: 'checkpoint'; dir: string }
  | { kind: 'hub'; repo: string; revision: string; revisionGiven: boolean };

/** owner/name as the Hub allows them (letters, digits, '-', '_', '.'; not starting with '.' or '-'), optional @revision. */
const HUB_ID = /^([A-Za-z0-9][A-Za-z0-9._-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)(?:@([A-Za-z0-9._/-]+))?$/;

async function kindOf(path: string): Promise<'dir' | 'file' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

const HOW = 'Pass a converted bundle folder (with manifest.json), a Hugging Face BLIP-2 checkpoint folder (with config.json and *.safetensors), or a Hub id such as Salesforce/blip2-opt-2.7b — through --model or GLANCE_MODEL (to try glance on the tiny demo model instead: glance start --demo).';

export async function parseModelSpec(spec: string): Promise<ModelSpec> {
  const trimmed = spec.trim();
  if (trimmed.length === 0) throw new GlanceError(ErrorCode.ModelUnavailable, `No model given. ${HOW}`);
  const path = resolve(trimmed === '~' || trimmed.startsWith('~/') ? join(homedir(), trimmed.slice(1)) : trimmed);
  const kind = await kindOf(path);
  if (kind === 'dir') {
    if ((await kindOf(join(path, MANIFEST_FILE))) === 'file') return { kind: 'bundle', dir: path };
    if ((await kindOf(join(path, 'config.json'))) === 'file') return { kind: 'checkpoint', dir: path };
    throw new GlanceError(ErrorCode.ModelUnavailable, `${path} is neither a glance bundle (no ${MANIFEST_FILE}) nor a Hugging Face checkpoint (no config.json). ${HOW}`, { model: spec });
  }
  if (kind === 'file') throw new GlanceError(ErrorCode.ModelUnavailable, `${path} is a file; a model is a folder or a Hub id. ${HOW}`, { model: spec });
  const hub = HUB_ID.exec(trimmed);
  const looksLikePath = trimmed.startsWith('.') || trimmed.startsWith('/') || trimmed.startsWith('~') || trimmed.includes('\\');
  if (hub && !looksLikePath) {
    return { kind: 'hub', repo: `${hub[1]}/${hub[2]}`, revision: hub[3] ?? 'main', revisionGiven: hub[3] !== undefined };
  }
  throw new GlanceError(ErrorCode.ModelUnavailable, `Model folder ${path} does not exist, and "${trimmed}" is not a Hub id (owner/name). ${HOW}`, { model: spec });
}
