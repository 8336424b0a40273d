/**
 * The fake's CDN: stores attachment bytes under Discord's URL shapes (attachments/<channel>/<id>/<filename> for
 * messages, ephemeral-attachments/<app>/<id>/<filename> for slash-command uploads) with signed, expiring query
 * parameters (ex, is, hm), and serves them. A URL without the right signature answers 404 as Discord's CDN does.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface CdnFile {
  bytes: Uint8Array;
  contentType?: string;
  hm: string;
  ex: string;
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

  constructor(private readonly host: () => string) {}

  /** Stores `bytes` and returns the signed URL Discord would give for it. */
  store(kind: 'attachments' | 'ephemeral-attachments', parentId: string, id: string, filename: string, bytes: Uint8Array, contentType?: string): string {
    const path = `/${kind}/${parentId}/${id}/${encodeURIComponent(filename)}`;
    const issued = Math.floor(Date.now() / 1000);
    const is = issued.toString(16);
    const ex = (issued + LIFETIME_S).toString(16);
    const hm = createHmac('sha256', 'fake-discord-cdn').update(`${path}:${ex}:${is}`).digest('hex');
    this.files.set(path, { bytes, contentType, hm, ex });
    return `http://${this.host()}${path}?ex=${ex}&is=${is}&hm=${hm}&`;
  }

  /** Every URL handed out so far answers 404 from now on, as an expired signed URL does. */
  expireAll(): void {
    for (const file of this.files.values()) file.hm = `expired-${file.hm}`;
  }

  /** Answers a CDN request; returns false when `path` is not a CDN path. */
  handle(request: IncomingMessage, response: ServerResponse, path: string, query: URLSearchParams): boolean {
    if (!path.startsWith('/attachments/') && !path.startsWith('/ephemeral-attachments/')) return false;
    const method = request.method ?? 'GET';
    const file = this.files.get(path);
    const signed = file !== undefined && query.get('hm') === file.hm && query.get('ex') === file.ex;
    const status = method !== 'GET' && method !== 'HEAD' ? 405 : signed ? 200 : 404;
    this.requests.push({ method, path, query, status, at: Date.now() });
    if (status !== 200 || !file) {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 404 ? 'This content is no longer available.' : 'Method Not Allowed');
      return true;
    }
    response.writeHead(200, { 'content-type': file.contentType ?? 'application/octet-stream', 'content-length': file.bytes.length });
    response.end(method === 'HEAD' ? undefined : Buffer.from(file.bytes));
    return true;
  }
}
