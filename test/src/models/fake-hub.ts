/**
 * A local stand-in for the Hugging Face Hub (node:http on 127.0.0.1, port 0) serving one model repository from a
 * folder, under the URLs @huggingface/hub requests:
 * - GET /api/models/{repo}/revision/{rev}?expand=… → model info with `sha` (modelInfo)
 * - GET /api/models/{repo}/tree/{rev}?recursive=…&expand=… → the file listing with git oids and LFS sha256 (listFiles)
 * - GET /{repo}/resolve/{rev}/{path} → the file, with ETag, X-Repo-Commit and Range support (fileDownloadInfo's
 *   `bytes=0-0` probe, WebBlob slices); `*.safetensors` answer with a 302 to /lfs/… as the Hub's CDN redirect does.
 * Unknown repositories answer 401 "Repository not found" (the Hub's answer). Faults can be injected per test.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FAKE_COMMIT = '0123456789abcdef0123456789abcdef01234567';

export interface ServedRequest {
  method: string;
  path: string;
  range?: string;
  /** Body bytes sent (file downloads only). */
  bodyBytes: number;
}

export interface FakeHubFaults {
  /** The next full or ranged body of this file is cut (socket destroyed) after this many bytes. */
  cutOnce?: { file: string; afterBytes: number };
  /** The next body of this file sends this many bytes and then nothing more, keeping the connection open. */
  stallOnce?: { file: string; afterBytes: number };
  /** List this file with this size (its bytes stay the real ones). */
  listedSize?: { file: string; size: number };
  /** Serve these bytes instead of the real ones (the listing keeps the real checksum). */
  corrupt?: { file: string; bytes: Buffer };
  /** Answer ranged body requests (not the `bytes=0-0` probe) for this file with the whole file and status 200. */
  ignoreRange?: string;
}

export interface FakeHub {
  url: string;
  repo: string;
  requests: ServedRequest[];
  faults: FakeHubFaults;
  /** The file names the repository holds. */
  files: string[];
  fileBytes(file: string): Buffer;
  close(): Promise<void>;
}

const isLfs = (file: string) => file.endsWith('.safetensors') || file.endsWith('.bin');

function gitBlobSha1(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeHub(options: {
  repo: string;
  folder: string;
  extraFiles?: Record<string, Buffer>;
  /**
   * LFS files are Xet-stored: a resolve request that accepts `application/vnd.xet-fileinfo+json` (the library's size
   * probe) gets the Xet file info instead of bytes, as the Hub answers; other requests are redirected to the bytes.
   */
  xet?: boolean;
}): Promise<FakeHub> {
  const contents = new Map<string, Buffer>();
  for (const name of readdirSync(options.folder).sort()) {
    if (statSync(join(options.folder, name)).isFile()) contents.set(name, readFileSync(join(options.folder, name)));
  }
  for (const [name, bytes] of Object.entries(options.extraFiles ?? {})) contents.set(name, bytes);
  const requests: ServedRequest[] = [];
  const faults: FakeHubFaults = {};
  const repo = options.repo;
  const revisions = new Set(['main', FAKE_COMMIT]);

  function listing(): unknown[] {
    const entries: unknown[] = [];
    const folders = new Set<string>();
    for (const [path, bytes] of contents) {
      const slash = path.lastIndexOf('/');
      if (slash > 0) folders.add(path.slice(0, slash));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.byteLength}\n`;
      entries.push(isLfs(path)
        ? { type: 'file', oid: gitBlobSha1(Buffer.from(pointer)), size: bytes.byteLength, path, lfs: { oid: sha256, size: bytes.byteLength, pointerSize: pointer.length } }
        : { type: 'file', oid: gitBlobSha1(bytes), size: bytes.byteLength, path });
    }
    if (faults.listedSize) {
      const entry = entries.find((e) => (e as { path: string }).path === faults.listedSize!.file) as { size: number; lfs?: { size: number } } | undefined;
      if (entry) {
        entry.size = faults.listedSize.size;
        if (entry.lfs) entry.lfs.size = faults.listedSize.size;
      }
    }
    for (const folder of folders) entries.push({ type: 'directory', oid: 'f'.repeat(40), size: 0, path: folder });
    return entries;
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, file: string, record: ServedRequest): void {
    const real = contents.get(file)!;
    const bytes = faults.corrupt?.file === file ? faults.corrupt.bytes : real;
    const headers: Record<string, string> = {
      etag: `"${isLfs(file) ? createHash('sha256').update(real).digest('hex') : gitBlobSha1(real)}"`,
      'x-repo-commit': FAKE_COMMIT,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    let start = 0;
    let end = bytes.byteLength - 1;
    let status = 200;
    const ignored = faults.ignoreRange === file && req.headers.range !== 'bytes=0-0';
    const range = req.headers.range && !ignored ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range) : null;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), bytes.byteLength - 1) : bytes.byteLength - 1;
      if (start >= bytes.byteLength) {
        res.writeHead(416, { 'content-range': `bytes */${bytes.byteLength}` });
        res.end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${bytes.byteLength}`;
    }
    const body = bytes.subarray(start, end + 1);
    headers['content-length'] = String(body.byteLength);
    res.writeHead(status, headers);
    const cut = faults.cutOnce?.file === file && body.byteLength > 1 ? faults.cutOnce : undefined;
    if (cut) {
      faults.cutOnce = undefined;
      const sent = body.subarray(0, cut.afterBytes);
      record.bodyBytes = sent.byteLength;
      res.write(sent, () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    const stall = faults.stallOnce?.file === file && body.byteLength > 1 ? faults.stallOnce : undefined;
    if (stall) {
      faults.stallOnce = undefined;
      record.bodyBytes = Math.min(stall.afterBytes, body.byteLength);
      res.write(body.subarray(0, stall.afterBytes));
      return;
    }
    record.bodyBytes = body.byteLength;
    res.end(body);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-hub');
    const path = decodeURIComponent(url.pathname);
    const record: ServedRequest = { method: req.method ?? 'GET', path, range: req.headers.range, bodyBytes: 0 };
    requests.push(record);
    const notFound = () => json(res, 401, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
    const apiPrefix = `/api/models/${repo}/`;
    if (path.startsWith('/api/models/')) {
      if (!path.startsWith(apiPrefix)) return notFound();
      const [kind, revision] = path.slice(apiPrefix.length).split('/');
      if (!revisions.has(revision)) return json(res, 404, { error: `Invalid rev id: ${revision}` }, { 'x-error-code': 'RevisionNotFound' });
      if (kind === 'revision') return json(res, 200, { _id: 'fake', id: repo, sha: FAKE_COMMIT, private: false, gated: false, downloads: 0, likes: 0, lastModified: '2024-01-01T00:00:00.000Z' });
      if (kind === 'tree') return json(res, 200, listing());
      return json(res, 404, { error: 'not found' });
    }
    const lfs = /^\/lfs\/(.+)$/.exec(path);
    if (lfs && contents.has(lfs[1])) return sendFile(req, res, lfs[1], record);
    const resolvePrefix = `/${repo}/resolve/`;
    if (!path.startsWith(resolvePrefix)) return notFound();
    const rest = path.slice(resolvePrefix.length);
    const slash = rest.indexOf('/');
    const revision = rest.slice(0, slash);
    const file = rest.slice(slash + 1);
    if (!revisions.has(revision)) return json(res, 404, { error: `Invalid rev id: ${revision}` }, { 'x-error-code': 'RevisionNotFound' });
    if (!contents.has(file)) return json(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
    if (isLfs(file) && options.xet && String(req.headers.accept ?? '').includes('application/vnd.xet-fileinfo+json')) {
      const bytes = contents.get(file)!;
      const origin = `http://${req.headers.host}`;
      res.writeHead(200, {
        'content-type': 'application/vnd.xet-fileinfo+json',
        'x-xet-hash': createHash('sha256').update(bytes).digest('hex'),
        'x-linked-size': String(bytes.byteLength),
        'x-linked-etag': `"${createHash('sha256').update(bytes).digest('hex')}"`,
        'x-repo-commit': FAKE_COMMIT,
        link: `<${origin}/xet-auth>; rel="xet-auth", <${origin}/xet-reconstruction>; rel="xet-reconstruction-info"`,
      });
      res.end(JSON.stringify({ casUrl: `${origin}/cas`, hash: 'xet', refreshUrl: `${origin}/xet-auth`, reconstructionUrl: `${origin}/xet-reconstruction` }));
      return;
    }
    if (isLfs(file)) {
      res.writeHead(302, { location: `/lfs/${encodeURIComponent(file)}`, 'x-repo-commit': FAKE_COMMIT, 'x-linked-size': String(contents.get(file)!.byteLength), 'x-linked-etag': `"${createHash('sha256').update(contents.get(file)!).digest('hex')}"` });
      res.end();
      return;
    }
    sendFile(req, res, file, record);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    repo,
    requests,
    faults,
    files: [...contents.keys()],
    fileBytes: (file) => contents.get(file)!,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}
