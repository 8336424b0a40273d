/**
 * Platform-free rules about one image in a chat request: the size limit's message (GLANCE_MAX_IMAGE_MB) and which
 * error codes concern one image only (reported on its line) rather than the whole request.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

const MIB = 1024 * 1024;

export function formatMegabytes(bytes: number): string {
  const mb = bytes / MIB;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

export function tooLarge(bytes: number | undefined, maxBytes: number): GlanceError {
  const limit = formatMegabytes(maxBytes);
  const size = bytes === undefined ? `larger than ${limit}, the most glance reads` : `${formatMegabytes(bytes)}; glance reads images up to ${limit}`;
  return new GlanceError(ErrorCode.ImageTooLarge, `The image is ${size}. Post a smaller version of it.`, {
    ...(bytes === undefined ? {} : { bytes }),
    maxBytes,
  });
}

/** Codes about one image (reported on its line); every other code fails the whole request. */
export const PER_IMAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.ImageEmpty,
  ErrorCode.ImageUnsupported,
  ErrorCode.ImageCorrupt,
  ErrorCode.ImageTooLarge,
  ErrorCode.PayloadTooLarge,
  ErrorCode.RemoteImageRefused,
]);

export function isPerImageError(error: unknown): boolean {
  return error instanceof GlanceError && PER_IMAGE_CODES.has(error.code);
}

