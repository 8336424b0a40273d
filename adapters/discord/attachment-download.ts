/**
 * Downloads an attachment's bytes from Discord's CDN, guarded: only from the allow-listed media hosts
 * (DISCORD_MEDIA_HOSTS), redirects never followed, the size limit checked before (reported size,
 * Content-Length) and while reading, a timeout, and the bytes sniffed for a real image format (the reported
 * content type is never trusted). CDN URLs are signed and expire, so callers download soon after receipt.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { readBodyWithin } from '../shared/read-body.ts';
import { sniffImageFormat, type SniffedImageFormat } from '../shared/image-sniff.ts';

export interface DownloadPolicy {
  /** Lower-case hosts (`host` or `host:port`) downloads may come from. */
  mediaHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
}

export interface DownloadedImage {
  bytes: Uint8Array;
  format: SniffedImageFormat;
}

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 15_000;

/** Throws REMOTE_IMAGE_REFUSED unless `url` is http(s) on an allow-listed media host. */
export function checkMediaUrl(rawUrl: string, mediaHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new GlanceError(ErrorCode.RemoteImageRefused, 'The attachment has no valid download link.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new GlanceError(ErrorCode.RemoteImageRefused, `Attachments are downloaded over https only (got ${url.protocol}).`);
  }
  const host = url.host.toLowerCase();
  if (!mediaHosts.includes(host) && !mediaHosts.includes(url.hostname.toLowerCase())) {
    throw new GlanceError(ErrorCode.RemoteImageRefused, `The attachment is hosted on ${host}, not on Discord's own media servers, and glance only downloads from those. Upload the image to Discord itself.`, { host });
  }
  return url;
}

/**
 * The attachment's bytes, checked to be an image glance can read. Coded errors: REMOTE_IMAGE_REFUSED (host not
 * allowed, redirect), IMAGE_TOO_LARGE, IMAGE_EMPTY, IMAGE_UNSUPPORTED (not an image), IMAGE_CORRUPT (download
 * failed), DEADLINE_EXCEEDED, ABORTED.
 */
export async function downloadAttachment(rawUrl: string, policy: DownloadPolicy, signal?: AbortSignal): Promise<DownloadedImage> {
  const url = checkMediaUrl(rawUrl, policy.mediaHosts);
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  let bytes: Uint8Array;
  try {
    response = await fetch(url, { redirect: 'manual', signal: combined });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => {});
      throw new GlanceError(ErrorCode.RemoteImageRefused, `The media host answered with a redirect (HTTP ${response.status}); redirects are not followed.`, { status: response.status });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new GlanceError(ErrorCode.ImageCorrupt, `The image could not be downloaded (HTTP ${response.status}); its link may have expired: post it again.`, { status: response.status });
    }
    bytes = await readBodyWithin(response, policy.maxBytes);
  } catch (error) {
    if (error instanceof GlanceError) throw error;
    if (timeout.aborted) throw new GlanceError(ErrorCode.DeadlineExceeded, `Downloading the image took longer than ${Math.round(policy.timeoutMs / 1000)} s.`);
    if (signal?.aborted) throw new GlanceError(ErrorCode.Aborted, 'The download was cancelled.');
    throw new GlanceError(ErrorCode.ImageCorrupt, `The image could not be downloaded: ${(error as Error).message}.`, undefined, { cause: error });
  }
  if (bytes.length === 0) throw new GlanceError(ErrorCode.ImageEmpty, 'The file is empty (0 bytes).');
  const format = sniffImageFormat(bytes);
  if (!format) throw new GlanceError(ErrorCode.ImageUnsupported, 'The file is not an image glance can read (JPEG, PNG, WebP, GIF or TIFF), whatever its name or type says.');
  return { bytes, format };
}
