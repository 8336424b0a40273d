/**
 * Which encoded formats the engine accepts, and a cheap SVG sniff: sharp would render SVG (and PDF, HEIF...),
 * but Pillow, the reference, would not open them, so only raster formats Pillow also reads are let through.
 */

/** sharp `metadata().format` values accepted for decoding. */
export const SUPPORTED_IMAGE_FORMATS: readonly string[] = ['jpeg', 'png', 'webp', 'gif', 'tiff'];

export function isSupportedImageFormat(format: string | undefined): boolean {
  return format !== undefined && SUPPORTED_IMAGE_FORMATS.includes(format);
}

/** True when the bytes look like XML/SVG text (checked before sharp sees them, so nothing gets rendered). */
export function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 4096)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('<')) return false;
  return /<svg[\s>]/i.test(head) || head.startsWith('<?xml');
}
