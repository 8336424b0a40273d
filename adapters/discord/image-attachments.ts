/**
 * Which attachments of a message are images to describe. Discord's reported content type and the file name are
 * hints only (the bytes are sniffed after download). Videos and audio are never candidates: Discord reports a
 * `video/*` or `audio/*` type for them, and also width and height for videos, so dimensions count as evidence only
 * when the type says nothing about the file (missing, `application/octet-stream`) or is `image/*`. Otherwise an
 * attachment is a candidate when its type is `image/*` or its name has an image extension. Images that already
 * carry a description (alt text) are not described again; beyond the per-message limit the rest are named as skipped.
 */

/** The fields read from a discord.js Attachment (which satisfies this shape). */
export interface AttachmentInfo {
  id: string;
  name: string;
  url: string;
  size: number;
  contentType: string | null;
  description: string | null;
  width: number | null;
  height: number | null;
  spoiler: boolean;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g|jfif|gif|webp|tiff?)$/i;
const TIME_BASED_TYPE = /^(video|audio)\//;
/** Types that say nothing about what the file is. */
const UNSPECIFIC_TYPES = new Set(['', 'application/octet-stream']);

/** The MIME type without parameters, lowercased ('' when Discord reports none). */
function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function isImageCandidate(attachment: AttachmentInfo): boolean {
  const type = mediaType(attachment.contentType);
  if (TIME_BASED_TYPE.test(type)) return false;
  if (type.startsWith('image/')) return true;
  const hasDimensions = attachment.width !== null && attachment.width > 0 && attachment.height !== null && attachment.height > 0;
  if (hasDimensions && UNSPECIFIC_TYPES.has(type)) return true;
  return IMAGE_EXTENSIONS.test(attachment.name);
}

/** The alt text an author already wrote, if any. */
export function existingAltText(attachment: AttachmentInfo): string | undefined {
  const text = attachment.description?.trim();
  return text ? text : undefined;
}

export interface PickedImages<T extends AttachmentInfo = AttachmentInfo> {
  /** Images to describe, in posting order, at most `max`. */
  images: T[];
  /** Images skipped because they already have a description. */
  described: T[];
  /** Images beyond the limit. */
  overLimit: T[];
}

export function pickImages<T extends AttachmentInfo>(attachments: Iterable<T>, max: number, options: { skipDescribed: boolean }): PickedImages<T> {
  const picked: PickedImages<T> = { images: [], described: [], overLimit: [] };
  for (const attachment of attachments) {
    if (!isImageCandidate(attachment)) continue;
    if (options.skipDescribed && existingAltText(attachment) !== undefined) picked.described.push(attachment);
    else if (picked.images.length < max) picked.images.push(attachment);
    else picked.overLimit.push(attachment);
  }
  return picked;
}
