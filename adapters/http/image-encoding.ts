/**
 * Image bytes carried as text: strict base64 (JSON bodies) and data: URLs (OpenAI image_url parts). Malformed input is
 * refused with INVALID_INPUT instead of being decoded leniently into garbage.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Decodes standard or URL-safe base64 (whitespace allowed); anything else is INVALID_INPUT. */
export function decodeBase64Strict(text: string, what = 'image'): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  const standard = BASE64.test(compact);
  if (compact === '' || (!standard && !BASE64_URL.test(compact)) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new GlanceError(ErrorCode.InvalidInput, `${what} is not valid base64`);
  }
  if (/=/.test(compact) && compact.length % 4 !== 0) throw new GlanceError(ErrorCode.InvalidInput, `${what} is not valid base64 (bad padding)`);
  return new Uint8Array(Buffer.from(compact, standard ? 'base64' : 'base64url'));
}

/** Whether a URL is a data: URL. */
export function isDataUrl(url: string): boolean {
  return /^data:/i.test(url);
}

/** The bytes of a `data:[<media type>][;base64],<data>` URL; only base64 data URLs are accepted for images. */
export function decodeDataUrl(url: string): Uint8Array {
  const match = /^data:([^,]*),(.*)$/is.exec(url);
  if (!match) throw new GlanceError(ErrorCode.InvalidInput, 'the data: URL has no "," separating its header from its data');
  const header = match[1].split(';').map((part) => part.trim().toLowerCase());
  if (!header.includes('base64')) throw new GlanceError(ErrorCode.InvalidInput, 'image data: URLs must be base64 encoded (data:image/png;base64,...)');
  return decodeBase64Strict(match[2], 'the data: URL');
}
