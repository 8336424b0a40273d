/**
 * Fetching an image_url that is a remote http(s) URL, guarded against server-side request forgery: only when the
 * configuration allows remote images; every address the host resolves to must be public (or allow-listed); redirects
 * are followed by hand (at most MAX_REDIRECTS) and each hop is checked again; a size limit and a timeout.
 *
 * The addresses are checked where they are used: the request goes through node:http / node:https with a `lookup`
 * (checked-lookup.ts) that resolves the host with the policy's resolver and checks every address before the socket
 * connects, so a DNS server that answers a public address to a first look-up and a private one to the next (DNS
 * rebinding) gets the connection refused. The host is also checked before each hop, for an early, clear refusal; an
 * IP-literal host is connected to as written, after that check. TLS still verifies the certificate against the host
 * name (which is also sent as SNI), not the address. No connection pooling: every hop opens its own checked connection.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { AddressAllowList, isNonPublicAddress } from './address-policy.ts';
import { checkedLookup, type Resolver } from './checked-lookup.ts';

export const MAX_REDIRECTS = 3;

export interface RemoteImagePolicy {
  allowRemote: boolean;
  allowList: AddressAllowList;
  maxBytes: number;
  timeoutMs: number;
  /**
   * Resolves a host name to its addresses (default: the system resolver, every address). Used both for the check and
   * for the connection, which never resolves the name any other way.
   */
  lookup?: Resolver;
}

async function systemLookup(hostname: string): Promise<string[]> {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  return addresses.map((entry) => entry.address);
}

function refused(message: string, details?: Record<string, unknown>): GlanceError {
  return new GlanceError(ErrorCode.RemoteImageRefused, message, details);
}

/** The policy's resolver; a failure is REMOTE_IMAGE_REFUSED. */
function resolverOf(policy: RemoteImagePolicy): Resolver {
  const resolve = policy.lookup ?? systemLookup;
  return async (hostname) => {
    try {
      return await resolve(hostname);
    } catch (error) {
      throw refused(`the image host ${hostname} could not be resolved`, { reason: String((error as Error)?.message ?? error) });
    }
  };
}

/** Why `address` (one address of `hostname`) may not be connected to under `policy`, or undefined when it may. */
function addressRefusal(hostname: string, address: string, policy: RemoteImagePolicy): GlanceError | undefined {
  if (isIP(address) === 0) return refused(`the image host ${hostname} resolved to "${address}", which is not an IP address`);
  if (isNonPublicAddress(address) && !policy.allowList.allowsAddress(address)) {
    return refused(`the image host ${hostname} resolves to a private, loopback or link-local address (${address}); it is not fetched unless GLANCE_REMOTE_IMAGE_ALLOW_LIST names it`, { address });
  }
  return undefined;
}

function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Throws REMOTE_IMAGE_REFUSED unless `url` may be fetched under `policy` (the host's addresses as resolved now). */
export async function checkRemoteUrl(url: URL, policy: RemoteImagePolicy): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(`image URLs must be data:, http: or https: (got ${url.protocol})`);
  if (!policy.allowRemote) {
    throw refused('remote image URLs are not allowed on this server (GLANCE_ALLOW_REMOTE_IMAGES); send the image as a data: URL');
  }
  const hostname = bareHostname(url);
  if (policy.allowList.allowsHost(hostname)) return;
  const addresses = isIP(hostname) !== 0 ? [hostname] : await resolverOf(policy)(hostname);
  if (addresses.length === 0) throw refused(`the image host ${hostname} has no addresses`);
  for (const address of addresses) {
    const refusal = addressRefusal(hostname, address, policy);
    if (refusal) throw refusal;
  }
}

/** One GET of `url`, connecting only to addresses the policy allows (checked as the socket connects). */
function requestOnce(url: URL, policy: RemoteImagePolicy, signal: AbortSignal): Promise<IncomingMessage> {
  const hostname = bareHostname(url);
  const nameAllowed = policy.allowList.allowsHost(hostname);
  const lookup = checkedLookup(resolverOf(policy), (host, address) => (nameAllowed ? undefined : addressRefusal(host, address, policy)));
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(
      {
        method: 'GET',
        hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers: { accept: 'image/*, */*;q=0.5', 'user-agent': 'glance' },
        agent: false, // a fresh connection: never a pooled socket that was connected some other way
        lookup,
        signal,
        ...(https && isIP(hostname) === 0 ? { servername: hostname } : {}),
      },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });
}

async function readLimited(response: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new GlanceError(ErrorCode.PayloadTooLarge, `the remote image is ${declared} bytes; the limit is ${maxBytes}`);
  }
  const stop = () => response.destroy(signal.reason as Error);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        response.destroy();
        throw new GlanceError(ErrorCode.PayloadTooLarge, `the remote image is larger than the limit of ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    signal.throwIfAborted();
    if (!response.complete) throw new Error('the connection closed before the whole image was received');
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** A refusal of a redirect target says so: the caller sent another URL than the one refused. */
function afterRedirect(error: unknown, target: URL): unknown {
  if (!(error instanceof GlanceError) || error.code !== ErrorCode.RemoteImageRefused) return error;
  return new GlanceError(error.code, `the image URL redirected to ${target.href}, which is refused: ${error.message}`, error.details);
}

/** Rejects with the signal's reason as soon as it fires (a hanging resolver counts against the timeout too). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
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
  try {
    for (let hop = 0; ; hop++) {
      if (url.username !== '' || url.password !== '') {
        throw new GlanceError(ErrorCode.InvalidInput, 'image URLs with a user name or password are not supported; send the image as a data: URL');
      }
      const hopUrl = url;
      const response = await untilAborted(checkRemoteUrl(hopUrl, policy), combined)
        .then(() => requestOnce(hopUrl, policy, combined))
        .catch((error: unknown) => {
          throw hop > 0 ? afterRedirect(error, hopUrl) : error;
        });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.destroy();
        if (hop >= MAX_REDIRECTS) throw refused(`the remote image redirected more than ${MAX_REDIRECTS} times`);
        url = new URL(location, url);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        throw new GlanceError(ErrorCode.InvalidInput, `the remote image could not be fetched: HTTP ${status}`);
      }
      return await readLimited(response, policy.maxBytes, combined);
    }
  } catch (error) {
    if (error instanceof GlanceError) throw error;
    if (timeout.aborted) throw new GlanceError(ErrorCode.DeadlineExceeded, `fetching the remote image took longer than ${policy.timeoutMs} ms`);
    if (signal?.aborted) throw new GlanceError(ErrorCode.Aborted, 'the request was cancelled');
    throw new GlanceError(ErrorCode.InvalidInput, `the remote image could not be fetched: ${(error as Error).message}`);
  }
}
