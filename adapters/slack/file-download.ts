/**
 * Downloads a Slack file's bytes (`url_private_download` / `url_private`), guarded: only from the allow-listed
 * hosts (SLACK_FILE_HOSTS), with the bot token as `Authorization: Bearer …` (sent over https only, or to a
 * loopback host for local tests), redirects never followed (`redirect: 'manual'`), the size limit checked before
 * (Content-Length) and while reading, a timeout, and the bytes sniffed for a real image (the reported mimetype is
 * never trusted). Without the files:read scope Slack answers with a redirect to an HTML login page (or the page
 * itself): that is reported as the missing scope, in words an admin can act on.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { readBodyWithin } from '../shared/read-body.ts';
import { sniffImageFormat } from '../shared/image-sniff.ts';

export interface SlackDownloadPolicy {
  /** Lower-case hosts (`host` or `host:port`) files may be downloaded from. */
  fileHosts: readonly string[];
  botToken: string;
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_SLACK_DOWNLOAD_TIMEOUT_MS = 15_000;

export const MISSING_FILES_READ_MESSAGE =
  'The file could not be downloaded: Slack answered with its sign-in page, which means this Slack app lacks the files:read scope. ' +
  'A workspace admin can add files:read (see docs/slack.md) and reinstall the app.';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Throws REMOTE_IMAGE_REFUSED unless `rawUrl` may receive the bot token (allow-listed host; https, or http on loopback). */
export function checkFileUrl(rawUrl: unknown, fileHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(String(rawUrl));
  } catch {
    throw new GlanceError(ErrorCode.RemoteImageRefused, 'The file has no valid download link.');
  }
  const host = url.host.toLowerCase();
  if (!fileHosts.includes(host) && !fileHosts.includes(url.hostname.toLowerCase())) {
    throw new GlanceError(ErrorCode.RemoteImageRefused, `The file is hosted on ${host}, not on Slack's own file servers, and glance only downloads from those. Upload the image to Slack itself.`, { host });
  }
  const loopback = LOOPBACK.has(url.hostname.toLowerCase());
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new GlanceError(ErrorCode.RemoteImageRefused, `Slack files are downloaded over https only (got ${url.protocol}).`, { host });
  }
  return url;
}

function missingScope(status: number): GlanceError {
  return new GlanceError(ErrorCode.RemoteImageRefused, MISSING_FILES_READ_MESSAGE, { status, scope: 'files:read' });
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/**
 * The file's bytes, checked to be an image glance can read. Coded errors: REMOTE_IMAGE_REFUSED (host not allowed,
 * missing files:read scope, other redirects), IMAGE_TOO_LARGE, IMAGE_EMPTY, IMAGE_UNSUPPORTED (not an image),
 * IMAGE_CORRUPT (download failed), DEADLINE_EXCEEDED, ABORTED.
 */
export async function downloadSlackFile(rawUrl: unknown, policy: SlackDownloadPolicy, signal?: AbortSignal): Promise<Uint8Array> {
  const url = checkFileUrl(rawUrl, policy.fileHosts);
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { redirect: 'manual', signal: combined, headers: { authorization: `Bearer ${policy.botToken}` } });
    const type = (response.headers.get('content-type') ?? '').toLowerCase();
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => {});
      // Slack's answer to a token without files:read: a redirect to its sign-in page.
      throw missingScope(response.status);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new GlanceError(ErrorCode.ImageCorrupt, `The file could not be downloaded from Slack (HTTP ${response.status}); it may have been deleted: post it again.`, { status: response.status });
    }
    if (type.startsWith('text/html')) {
      await response.body?.cancel().catch(() => {});
      throw missingScope(response.status);
    }
    bytes = await readBodyWithin(response, policy.maxBytes);
  } catch (error) {
    if (error instanceof GlanceError) throw error;
    if (timeout.aborted) throw new GlanceError(ErrorCode.DeadlineExceeded, `Downloading the file from Slack took longer than ${Math.round(policy.timeoutMs / 1000)} s.`);
    if (signal?.aborted) throw new GlanceError(ErrorCode.Aborted, 'The download was cancelled.');
    throw new GlanceError(ErrorCode.ImageCorrupt, `The file could not be downloaded from Slack: ${(error as Error).message}.`, undefined, { cause: error });
  }
  if (bytes.length === 0) throw new GlanceError(ErrorCode.ImageEmpty, 'The file is empty (0 bytes).');
  if (looksLikeHtml(bytes)) throw missingScope(200);
  if (!sniffImageFormat(bytes)) throw new GlanceError(ErrorCode.ImageUnsupported, 'The file is not an image glance can read (JPEG, PNG, WebP, GIF or TIFF), whatever its name or type says.');
  return bytes;
}
