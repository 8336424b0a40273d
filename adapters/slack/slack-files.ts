/**
 * Which files of a Slack message are images to look at, and how they are read. The mimetype, filetype and name
 * are hints only (the bytes are sniffed after download). Files that arrive as an id only are completed with
 * `files.info`. A file whose reported size is above GLANCE_MAX_IMAGE_MB is refused without downloading.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { tooLarge } from '../shared/image-limits.ts';
import { parseFile, type SlackFileInfo } from './event-fields.ts';
import type { SlackAdapterContext } from './slack-context.ts';

const IMAGE_TYPES = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'tif', 'tiff', 'heic', 'bmp']);
const IMAGE_EXTENSIONS = /\.(png|jpe?g|jfif|gif|webp|tiff?)$/i;

export function isImageCandidate(file: SlackFileInfo): boolean {
  if (file.mimetype?.toLowerCase().startsWith('image/')) return true;
  if (file.filetype && IMAGE_TYPES.has(file.filetype.toLowerCase())) return true;
  return file.name !== undefined && IMAGE_EXTENSIONS.test(file.name);
}

export interface PickedFiles {
  /** Images to describe, in posting order, at most `max`. */
  images: SlackFileInfo[];
  /** Images skipped because their author gave them alt text. */
  described: SlackFileInfo[];
  /** Images beyond the limit. */
  overLimit: SlackFileInfo[];
}

export function pickImageFiles(files: readonly SlackFileInfo[], max: number, options: { skipDescribed: boolean }): PickedFiles {
  const picked: PickedFiles = { images: [], described: [], overLimit: [] };
  for (const file of files) {
    if (!isImageCandidate(file)) continue;
    if (options.skipDescribed && file.altTxt !== undefined) picked.described.push(file);
    else if (picked.images.length < max) picked.images.push(file);
    else picked.overLimit.push(file);
  }
  return picked;
}

export function fileName(file: SlackFileInfo): string {
  return file.name ?? file.id;
}

/** Completes id-only files with files.info (needs files:read); files it cannot look up are dropped and logged. */
export async function completeFiles(context: SlackAdapterContext, files: readonly SlackFileInfo[]): Promise<SlackFileInfo[]> {
  const complete: SlackFileInfo[] = [];
  for (const file of files) {
    if (!file.idOnly) {
      complete.push(file);
      continue;
    }
    try {
      const answer = await context.client.files.info({ file: file.id });
      const full = parseFile(answer.file);
      if (full && !full.idOnly) complete.push(full);
      else context.log?.warn({ component: 'slack', file: file.id }, 'files.info gave no downloadable file');
    } catch (error) {
      context.log?.warn({ component: 'slack', file: file.id, err: error }, 'files.info failed (does the app have files:read?)');
    }
  }
  return complete;
}

/** Downloads the file when needed: refused before downloading when its reported size is over the limit. */
export function fileLoader(context: SlackAdapterContext, file: SlackFileInfo): () => Promise<Uint8Array> {
  return async () => {
    const maxBytes = context.config.limits.maxImageBytes;
    if (file.size !== undefined && file.size > maxBytes) throw tooLarge(file.size, maxBytes);
    if (file.size === 0) throw new GlanceError(ErrorCode.ImageEmpty, 'The file is empty (0 bytes).');
    const url = file.urlPrivateDownload ?? file.urlPrivate;
    if (!url) throw new GlanceError(ErrorCode.ImageCorrupt, 'Slack gave no download link for the file.');
    return context.download(url);
  };
}
