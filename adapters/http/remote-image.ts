/**
 * Fetching an image_url that is a remote http(s) URL, guarded against server-side request forgery: only when the
 * configuration allows remote images; every address the host resolves to must be public (or allow-listed), checked
 * again on every redirect hop (redirects are followed by hand, at most MAX_REDIRECTS); a size limit and a timeout.
 * The check happens on the resolved addresses just before each fetch; the host is resolved once more by fetch itself.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { AddressAllowList, isNonPublicAddress } from './address-policy.ts';

export const MAX_REDIRECTS = 3;

export interface RemoteImagePolicy {
  allowRemote: boolean;
  allowList: AddressAllowList;
  maxBytes: number;
  timeoutMs: number;
  /** Resolves a host name to its addresses (default: the system resolver, every address). */
  lookup?: (hostname: string) => Promise<string[]>;
}

async function systemLookup(hostname: string): Promise<string[]> {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => entry.address);
}

function refused(message: string, details?: Record<string, unknown>): GlanceError {
  return new GlanceError(ErrorCode.RemoteImageRefused, message, details);
}

/** Throws REMOTE_IMAGE_REFUSED unless `url` may be fetched under `policy`. */
export async function checkRemoteUrl(url: URL, policy: RemoteImagePolicy): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(`image URLs must be data:, http: or https: (got ${url.protocol})`);
  if (!policy.allowRemote) {
    throw refused('remote image URLs are not allowed on this server (GLANCE_ALLOW_REMOTE_IMAGES); send the image as a data: URL');
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (policy.allowList.allowsHost(hostname)) return;
  let addresses: string[];
  if (isIP(hostname) !== 0) addresses = [hostname];
  else {
    try {
      addresses = await (policy.lookup ?? systemLookup)(hostname);
    } catch (error) {
      throw refused(`the image host ${hostname} could not be resolved`, { reason: String((error as Error).message ?? error) });
    }
  }
  if (addresses.length === 0) throw refused(`the image host ${hostname} has no addresses`);
  for (const address of addresses) {
    if (isNonPublicAddress(address) && !policy.allowList.allowsAddress(address)) {
      throw refused(`the image host ${hostname} resolves to a private, loopback or link-local address (${address}); it is not fetched unless GLANCE_REMOTE_IMAGE_ALLOW_LIST names it`, { address });
    }
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new GlanceError(ErrorCode.PayloadTooLarge, `the remote image is ${declared} bytes; the limit is ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        await response.body.cancel().catch(() => {});
        throw new GlanceError(ErrorCode.PayloadTooLarge, `the remote image is larger than the limit of ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Downloads a remote image under `policy`; `signal` cancels it (the caller went away). */
export async function fetchRemoteImage(rawUrl: string, policy: RemoteImagePolicy, signal?: AbortSignal): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new GlanceError(ErrorCode.InvalidInput, 'image_url.url is not a valid URL');
  }
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  for (let hop = 0; ; hop++) {
    await checkRemoteUrl(url, policy);
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'manual', signal: combined });
    } catch (error) {
      if (timeout.aborted) throw new GlanceError(ErrorCode.DeadlineExceeded, `fetching the remote image took longer than ${policy.timeoutMs} ms`);
      if (signal?.aborted) throw new GlanceError(ErrorCode.Aborted, 'the request was cancelled');
      throw new GlanceError(ErrorCode.InvalidInput, `the remote image could not be fetched: ${(error as Error).message}`);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) throw refused(`the remote image redirected more than ${MAX_REDIRECTS} times`);
      url = new URL(response.headers.get('location')!, url);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new GlanceError(ErrorCode.InvalidInput, `the remote image could not be fetched: HTTP ${response.status}`);
    }
    return readLimited(response, policy.maxBytes);
  }
}
