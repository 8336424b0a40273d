/**
 * Which attachments of a message are images to describe. Discord's reported content type and the file name are
 * hints only (the bytes are sniffed after download): an attachment is a candidate when Discord reports image
 * dimensions, an image/* content type, or an image file extension. Images that already carry a description
 * (alt text) are not described again; beyond the per-message limit the rest are named as skipped.
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

export function isImageCandidate(attachment: AttachmentInfo): boolean {
  if (attachment.width !== null && attachment.width > 0 && attachment.height !== null && attachment.height > 0) return true;
  if (attachment.contentType?.toLowerCase().startsWith('image/')) return true;
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
