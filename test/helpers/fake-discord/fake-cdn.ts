/**
 * The fake's CDN: stores attachment bytes under Discord's URL shapes (attachments/<channel>/<id>/<filename> for
 * messages, ephemeral-attachments/<app>/<id>/<filename> for slash-command uploads) with signed, expiring query
 * parameters (ex, is, hm), and serves them. A URL without a working signature answers 404 as Discord's CDN does;
 * API responses carry freshly signed URLs (fresh()), so fetching a message again gives links that work.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface CdnFile {
  bytes: Uint8Array;
  contentType?: string;
  /** The signatures (hm → ex) that still work; expireAll() empties it. */
  valid: Map<string, string>;
  /** The URL signed last. */
  latest: string;
}

export interface CdnRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
}

const LIFETIME_S = 24 * 3600;

export class FakeCdn {
  readonly requests: CdnRequest[] = [];
  private readonly files = new Map<string, CdnFile>();
  private signatures = 0;

  constructor(private readonly host: () => string) {}

  /** Stores `bytes` and returns the signed URL Discord would give for it. */
  store(kind: 'attachments' | 'ephemeral-attachments', parentId: string, id: string, filename: string, bytes: Uint8Array, contentType?: string): string {
    const path = `/${kind}/${parentId}/${id}/${encodeURIComponent(filename)}`;
    const file: CdnFile = { bytes, contentType, valid: new Map(), latest: '' };
    this.files.set(path, file);
    return this.sign(path, file);
  }

  /** Every URL handed out so far answers 404 from now on, as an expired signed URL does. */
  expireAll(): void {
    for (const file of this.files.values()) file.valid.clear();
  }

  /**
   * `url` if its signature still works, else the file's latest working URL or a newly signed one: what Discord puts in every API
   * response (REST reads, gateway events), so a message fetched again has working links. Other URLs are returned as given.
   */
  fresh(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return url;
    }
    const file = this.files.get(parsed.pathname);
    if (!file || parsed.host !== this.host()) return url;
    if (this.works(file, parsed.searchParams)) return url;
    if (this.works(file, new URL(file.latest).searchParams)) return file.latest;
    return this.sign(parsed.pathname, file);
  }

  private sign(path: string, file: CdnFile): string {
    const issued = Math.floor(Date.now() / 1000);
    const is = issued.toString(16);
    const ex = (issued + LIFETIME_S).toString(16);
    const hm = createHmac('sha256', 'fake-discord-cdn').update(`${path}:${ex}:${is}:${++this.signatures}`).digest('hex');
    file.valid.set(hm, ex);
    file.latest = `http://${this.host()}${path}?ex=${ex}&is=${is}&hm=${hm}&`;
    return file.latest;
  }

  private works(file: CdnFile, query: URLSearchParams): boolean {
    const hm = query.get('hm');
    return hm !== null && file.valid.get(hm) === query.get('ex');
  }

  /** Answers a CDN request; returns false when `path` is not a CDN path. */
  handle(request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): boolean {
    if (!path.startsWith('/attachments/') && !path.startsWith('/ephemeral-attachments/')) return false;
    const method = request.method ?? 'GET';
    const file = this.files.get(path);
    const signed = file !== undefined && this.works(file, query);
    const status = method !== 'GET' && method !== 'HEAD' ? 405 : signed ? 200 : 404;
    this.requests.push({ method, path, query, status, at: Date.now() });
    if (status !== 200 || !file) {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 404 ? 'This content is no longer available.' : 'Method Not Allowed');
      return true;
    }
    response.writeHead(200, { 'content-type': file.contentType ?? 'application/octet-stream', 'content-length': file.bytes.length });
    response.end(method === 'HEAD' ? undefined : Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength)); // a view, not a copy
    return true;
  }
}
