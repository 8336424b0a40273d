/**
 * Decodes an encoded photo to 8-bit RGB the way transformers' `load_image` does with Pillow: EXIF orientation
 * applied, embedded ICC profiles ignored (Pillow does not convert them), alpha dropped without compositing,
 * gray replicated, first frame of animations. The header is read first so oversized images are refused
 * before any pixel is decoded.
 */
import sharp from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import { ErrorCode, GlanceError } from '../errors.ts';
import { isSupportedImageFormat, looksLikeSvg, SUPPORTED_IMAGE_FORMATS } from './image-format.ts';
import type { RgbImage } from './rgb-image.ts';

export type { RgbImage } from './rgb-image.ts';

export interface DecodeLimits {
  /** Largest width × height accepted (default 40,000,000). */
  maxPixels: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxPixels: 40_000_000 };

function unsupported(message: string, details?: Record<string, unknown>, cause?: unknown): GlanceError {
  return new GlanceError(ErrorCode.ImageUnsupported, message, details, { cause });
}

const SUPPORTED_LIST = 'JPEG, PNG, WebP, GIF or TIFF';

async function readHeader(bytes: Uint8Array): Promise<Metadata> {
  try {
    return await sharp(bytes, { failOn: 'none', limitInputPixels: false }).metadata();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/unsupported image format/i.test(message)) {
      throw unsupported(`The file is not an image format glance can read; send a ${SUPPORTED_LIST} image.`, { reason: message }, error);
    }
    throw new GlanceError(ErrorCode.ImageCorrupt, `The image header could not be read (${message}); the file is damaged, send it again or use another image.`, { reason: message }, { cause: error });
  }
}

/** Copies sharp's raw output (1..4 channels) to interleaved RGB: gray replicated, alpha dropped. */
function toRgb(raw: Buffer, width: number, height: number, channels: number): Uint8Array {
  const pixels = width * height;
  if (channels === 3) return new Uint8Array(raw.buffer, raw.byteOffset, pixels * 3);
  const out = new Uint8Array(pixels * 3);
  if (channels === 4) {
    for (let i = 0, j = 0; i < pixels; i++, j += 4) {
      out[i * 3] = raw[j];
      out[i * 3 + 1] = raw[j + 1];
      out[i * 3 + 2] = raw[j + 2];
    }
  } else if (channels === 1 || channels === 2) {
    for (let i = 0, j = 0; i < pixels; i++, j += channels) {
      const v = raw[j];
      out[i * 3] = v;
      out[i * 3 + 1] = v;
      out[i * 3 + 2] = v;
    }
  } else {
    throw unsupported(`The image has ${channels} channels; send an RGB, RGBA or grayscale image.`, { channels });
  }
  return out;
}

/**
 * Two pixel counts as people read them: megapixels with one decimal, or plain pixels when either is below 0.1 MP
 * or both round to the same figure ("0.0 MP", or "1.0 MP above the limit of 1.0 MP", would say nothing).
 */
function pixelCounts(...counts: number[]): string[] {
  const megapixels = counts.map((pixels) => `${(pixels / 1e6).toFixed(1)} MP`);
  const readable = counts.every((pixels) => pixels >= 100_000) && new Set(megapixels).size === counts.length;
  return readable ? megapixels : counts.map((pixels) => `${pixels.toLocaleString('en-US')} pixels`);
}

/** Decodes `bytes` to RGB; throws GlanceError (ImageEmpty, ImageUnsupported, ImageTooLarge, ImageCorrupt). */
export async function decodeImage(bytes: Uint8Array, limits?: Partial<DecodeLimits>): Promise<RgbImage> {
  const maxPixels = limits?.maxPixels ?? DEFAULT_DECODE_LIMITS.maxPixels;
  if (bytes.length === 0) {
    throw new GlanceError(ErrorCode.ImageEmpty, 'The image is empty (0 bytes); send the image file again.');
  }
  if (looksLikeSvg(bytes)) {
    throw unsupported(`SVG images are not supported; send a ${SUPPORTED_LIST} image (for example a screenshot of the SVG).`, { format: 'svg' });
  }
  const header = await readHeader(bytes);
  if (!isSupportedImageFormat(header.format)) {
    throw unsupported(`${String(header.format).toUpperCase()} images are not supported; send a ${SUPPORTED_LIST} image.`, {
      format: header.format,
      supported: SUPPORTED_IMAGE_FORMATS,
    });
  }
  const width = header.width ?? 0;
  const height = header.pageHeight ?? header.height ?? 0;
  if (width <= 0 || height <= 0) {
    throw new GlanceError(ErrorCode.ImageCorrupt, 'The image header gives no size; the file is damaged, send another image.', { width, height });
  }
  if (width * height > maxPixels) {
    throw new GlanceError(
      ErrorCode.ImageTooLarge,
      `The image is ${width}x${height} (${pixelCounts(width * height, maxPixels).join('), above the limit of ')}; send a smaller image.`,
      { width, height, maxPixels },
    );
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { failOn: 'error', ignoreIcc: true, autoOrient: true, pages: 1, page: 0, limitInputPixels: maxPixels })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new GlanceError(ErrorCode.ImageCorrupt, `The image could not be decoded (${message}); it is truncated or damaged, send the file again.`, { reason: message, format: header.format }, { cause: error });
  }
  const { info, data } = decoded;
  return { width: info.width, height: info.height, data: toRgb(data, info.width, info.height, info.channels) };
}
